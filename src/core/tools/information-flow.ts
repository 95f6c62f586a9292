/**
 * Information-flow labels. Content the run's own principals wrote (the user's task, the system
 * instructions, the agent's definition) is trusted; tool output is untrusted unless its tool declares
 * `trustedOutput`. Labels propagate conservatively: once anything untrusted is in the context, every
 * later model output — and so every tool call's arguments — counts as influenced by it (tainted).
 */
export type FlowLabel = 'trusted' | 'untrusted';

/** The parts of a journaled tool result that decide its label. */
export interface LabelledResult {
  via: 'executed' | 'reconciled' | 'decision' | 'rejected';
  label?: FlowLabel | undefined;
}

/** The label a freshly obtained tool output gets: the tool's word on this call's output, else its declaration. */
export function outputLabel(
  tool: {
    trustedOutput?: boolean | undefined;
    labelOutput?: ((output: unknown) => FlowLabel | undefined) | undefined;
  },
  result?: { output: unknown; isError: boolean },
): FlowLabel {
  const called = result === undefined || result.isError ? undefined : tool.labelOutput?.(result.output);
  return called ?? (tool.trustedOutput === true ? 'trusted' : 'untrusted');
}

/**
 * A journaled result's label: the stored one, else recomputed from the tool definition (journals from
 * before labels). Our own texts (rejections, a person's decision) are trusted; an unknown tool's output is not.
 */
export function resultLabel(
  result: LabelledResult,
  tool: { trustedOutput?: boolean | undefined } | undefined,
): FlowLabel {
  if (result.label !== undefined) return result.label;
  if (result.via === 'rejected' || result.via === 'decision') return 'trusted';
  return tool === undefined ? 'untrusted' : outputLabel(tool);
}

type LabelledMessage =
  | { role: 'system' | 'user' | 'assistant' }
  | { role: 'tool'; call: { name: string }; result: LabelledResult };

/** Per message of a conversation, its label; assistant messages after untrusted content are untrusted too. */
export function contextLabels(
  messages: readonly LabelledMessage[],
  toolFor: (name: string) => { trustedOutput?: boolean | undefined } | undefined,
): FlowLabel[] {
  let tainted = false;
  return messages.map((message) => {
    if (message.role === 'tool') {
      const label = resultLabel(message.result, toolFor(message.call.name));
      if (label === 'untrusted') tainted = true;
      return label;
    }
    if (message.role === 'assistant' && tainted) return 'untrusted';
    return 'trusted';
  });
}

/** Whether the next model output (and its tool calls) is influenced by untrusted data. */
export function isTainted(
  messages: readonly LabelledMessage[],
  toolFor: (name: string) => { trustedOutput?: boolean | undefined } | undefined,
): boolean {
  return contextLabels(messages, toolFor).includes('untrusted');
}

/** The tools whose untrusted output is in the conversation (empty: not tainted by it), first seen first. */
export function taintSources(
  messages: readonly LabelledMessage[],
  toolFor: (name: string) => { trustedOutput?: boolean | undefined } | undefined,
): string[] {
  const sources = new Set<string>();
  for (const message of messages) {
    if (message.role === 'tool' && resultLabel(message.result, toolFor(message.call.name)) === 'untrusted')
      sources.add(`"${message.call.name}"`);
  }
  return [...sources];
}
