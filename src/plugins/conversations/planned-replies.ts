import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import type { PlannedReply } from './conversation-record.ts';

/**
 * A person's message lists the runs answering it, in answer order. The list grows while they answer: an
 * agent that hands off (hand_off) adds the agent it hands to right after itself, so that agent's reply is
 * written next and the replies planned after it wait for it.
 */

/** `incoming` in order, with each hand-off of `extra` placed after its handing run and that run's earlier hand-offs. */
export function mergeReplies(
  incoming: readonly PlannedReply[],
  extra: readonly PlannedReply[],
): PlannedReply[] {
  const merged = [...incoming];
  for (const reply of extra) {
    if (merged.some((known) => known.runId === reply.runId)) continue;
    const chain = new Set(reply.handedOffBy === undefined ? [] : [reply.handedOffBy]);
    let at = -1;
    for (const [index, known] of merged.entries()) {
      if (chain.has(known.runId) || (known.handedOffBy !== undefined && chain.has(known.handedOffBy))) {
        chain.add(known.runId);
        at = index;
      }
    }
    merged.splice(at === -1 ? merged.length : at + 1, 0, reply);
  }
  return merged;
}

/** The runs answering a person's message as recorded now (hand-offs included), in answer order. */
export async function plannedRepliesOf(db: SqlClient, messageId: string): Promise<PlannedReply[]> {
  const { rows } = await db.query<{ replies: PlannedReply[] }>(
    'SELECT replies FROM conversation_messages WHERE id = $1',
    [messageId],
  );
  return rows[0]?.replies ?? [];
}

async function lockedReplies(tx: SqlClient, messageId: string): Promise<PlannedReply[]> {
  const { rows } = await tx.query<{ replies: PlannedReply[] }>(
    'SELECT replies FROM conversation_messages WHERE id = $1 FOR UPDATE',
    [messageId],
  );
  return rows[0]?.replies ?? [];
}

/** The runs answering a person's message, in answer order; hand-offs already recorded keep their place. */
export async function setPlannedReplies(
  db: Store,
  messageId: string,
  replies: readonly PlannedReply[],
): Promise<PlannedReply[]> {
  return db.transaction(async (tx) => {
    const current = await lockedReplies(tx, messageId);
    const merged = mergeReplies(replies, current);
    await tx.query('UPDATE conversation_messages SET replies = $2::jsonb WHERE id = $1', [
      messageId,
      jsonParam(merged),
    ]);
    return merged;
  });
}

/** Adds a hand-off's reply to the person's message `seq` of the conversation (once: a replay adds nothing). */
export async function addHandOffReply(
  db: Store,
  conversationId: string,
  seq: number,
  reply: PlannedReply & { handedOffBy: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM conversation_messages WHERE conversation_id = $1 AND seq = $2 AND role = 'user'`,
      [conversationId, seq],
    );
    const messageId = rows[0]?.id;
    if (messageId === undefined) return;
    const current = await lockedReplies(tx, messageId);
    if (current.some((known) => known.runId === reply.runId)) return;
    await tx.query('UPDATE conversation_messages SET replies = $2::jsonb WHERE id = $1', [
      messageId,
      jsonParam(mergeReplies(current, [reply])),
    ]);
  });
}

/**
 * The runs whose replies a run answering message `seq` after `after` sees: those, and the agents they
 * handed off to (which answered before it, as it was held until they had).
 */
export async function withHandOffs(
  db: SqlClient,
  conversationId: string,
  seq: number,
  after: readonly string[],
): Promise<string[]> {
  if (after.length === 0) return [];
  const { rows } = await db.query<{ replies: PlannedReply[] }>(
    `SELECT replies FROM conversation_messages WHERE conversation_id = $1 AND seq = $2 AND role = 'user'`,
    [conversationId, seq],
  );
  const seen = new Set(after);
  for (const reply of rows[0]?.replies ?? []) {
    if (reply.handedOffBy !== undefined && seen.has(reply.handedOffBy)) seen.add(reply.runId);
  }
  return [...seen];
}
