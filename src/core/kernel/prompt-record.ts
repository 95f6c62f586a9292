import { toStorable } from '../store/storable-text.ts';
import type { ChatMessage } from './messages.ts';
import type { ModelToolSpec } from './model-gateway.ts';

/**
 * What a model turn stores as its input, so its prompt can be inspected. A prompt repeats the whole
 * history every turn: only the messages added since the previous turn's prompt are kept, with the count of
 * those before them (`from`). After a compaction the history changed, and the whole prompt is kept again.
 */
export interface PromptRecord {
  model: string;
  /** The names of the tools offered. */
  tools: string[];
  /** How many messages the prompt held. */
  messageCount: number;
  /** The index of the first message kept: those before it are the previous turn's prompt. */
  from: number;
  messages: ChatMessage[];
}

/** The record of `messages`, given the prompt the previous turn sent (undefined on the first turn). */
export function promptRecord(
  model: string,
  messages: readonly ChatMessage[],
  tools: readonly ModelToolSpec[],
  previous: readonly ChatMessage[] | undefined,
): PromptRecord {
  const continues =
    previous !== undefined &&
    previous.length <= messages.length &&
    previous.every((message, index) => messages[index] === message);
  const from = continues ? previous.length : 0;
  return toStorable({
    model,
    tools: tools.map((tool) => tool.name),
    messageCount: messages.length,
    from,
    messages: messages.slice(from),
  });
}
