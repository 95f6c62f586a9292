import type { AgentDefinition } from '../agents/agent-definition.ts';
import { resultLabel } from '../tools/information-flow.ts';
import { trustedFieldText } from '../tools/trusted-fields.ts';
import type { ContentSource } from '../tools/value-provenance.ts';
import type { ChatMessage } from './messages.ts';
import type { RunRecord } from './run-record.ts';

const outputText = (output: unknown): string =>
  typeof output === 'string' ? output : (JSON.stringify(output) ?? '');

/**
 * What the run's principals wrote, and what its starting context holds: the instructions, the task
 * (untrusted when it is outside content, a webhook's payload), then the context contributors' texts (a
 * conversation's messages, each under its own trust).
 */
export function principalSources(
  def: Pick<AgentDefinition, 'instructions'>,
  run: Pick<RunRecord, 'input'>,
  context: readonly ContentSource[],
): ContentSource[] {
  const outside = run.input.untrusted === true;
  return [
    { origin: "the agent's instructions", text: def.instructions, kind: 'user' },
    {
      origin: outside ? 'the task (content from outside)' : 'the task',
      text: run.input.task,
      kind: outside ? 'untrusted' : 'user',
    },
    ...context,
  ];
}

/**
 * The texts a turn's tool calls were planned from, each with its origin (tools/value-provenance.ts): the
 * instructions and the task (untrusted when it is outside content, a webhook's payload), then every tool
 * output in the context under its label. Our own texts about a
 * call (a rejection, a person's decision) are left out: they echo the model's arguments, and would vouch for
 * whatever it wrote.
 */
export function runSources(
  principals: readonly ContentSource[],
  messages: readonly ChatMessage[],
  toolFor: (
    name: string,
  ) => { trustedOutput?: boolean | undefined; trustedFields?: readonly string[] | undefined } | undefined,
): ContentSource[] {
  const sources: ContentSource[] = [...principals];
  for (const message of messages) {
    if (message.role !== 'tool' || message.result.via === 'rejected' || message.result.via === 'decision')
      continue;
    const tool = toolFor(message.call.name);
    const label = resultLabel(message.result, tool);
    sources.push({
      origin: message.call.name,
      kind: label === 'trusted' ? 'trusted_tool' : 'untrusted',
      text: outputText(message.result.output),
    });
    // The fields of an untrusted output its tool vouches for (a search result's names and prices).
    const fields = label === 'untrusted' && !message.result.isError ? tool?.trustedFields : undefined;
    const trusted = fields === undefined ? undefined : trustedFieldText(message.result.output, fields);
    if (trusted !== undefined)
      sources.push({
        origin: `${message.call.name} (${fields?.join(', ')})`,
        kind: 'trusted_tool',
        text: trusted,
      });
  }
  return sources;
}
