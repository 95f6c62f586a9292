import type { ConversationMessage } from '../../api/types.ts';

/** What the thread shows, in order: a person's message, then each reply to it (written or still coming). */
export type ThreadItem =
  | { kind: 'user'; message: ConversationMessage }
  | {
      kind: 'reply';
      runId: string;
      agentName: string;
      /** The user whose message it answers: the run acts for them. */
      askedBy: string;
      /** The reply's message once written. */
      message: ConversationMessage | undefined;
    }
  | { kind: 'agent'; message: ConversationMessage };

/** Messages by id, the later copy winning but keeping every planned reply either copy knows. */
export function mergeMessages(
  known: readonly ConversationMessage[],
  incoming: readonly ConversationMessage[],
): ConversationMessage[] {
  const byId = new Map(known.map((message) => [message.id, message]));
  for (const message of incoming) {
    const previous = byId.get(message.id);
    const replies = [...message.replies];
    for (const reply of previous?.replies ?? []) {
      if (!replies.some((r) => r.runId === reply.runId)) replies.push(reply);
    }
    byId.set(message.id, { ...message, replies });
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** Each person's message is followed by its replies in answer order; an agent message no one asked for stands alone. */
export function threadItems(messages: readonly ConversationMessage[]): ThreadItem[] {
  const written = new Map<string, ConversationMessage>();
  for (const message of messages) {
    if (message.role === 'agent' && message.runId !== null) written.set(message.runId, message);
  }
  const placed = new Set<string>();
  const items: ThreadItem[] = [];
  for (const message of messages) {
    if (message.role === 'user') {
      items.push({ kind: 'user', message });
      for (const reply of message.replies) {
        if (placed.has(reply.runId)) continue;
        placed.add(reply.runId);
        items.push({
          kind: 'reply',
          runId: reply.runId,
          agentName: reply.agentName,
          askedBy: message.author,
          message: written.get(reply.runId),
        });
      }
    } else if (message.runId === null || !placed.has(message.runId)) {
      items.push({ kind: 'agent', message });
    }
  }
  return items;
}
