import { EventEmitter } from 'node:events';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { ConversationMessage } from './conversation-record.ts';
import { listMessages } from './conversation-repo.ts';

/**
 * A conversation's event stream is derived, not logged: its messages (by seq) and the run events of its
 * replies still being written (by run event id). The cursor — the SSE id — is both: `<seq>:<runEventId>`.
 */
export interface ConversationCursor {
  seq: number;
  eventId: number;
}

export const formatCursor = (cursor: ConversationCursor): string => `${cursor.seq}:${cursor.eventId}`;

export function parseCursor(raw: string | undefined): ConversationCursor {
  if (raw === undefined || raw === '') return { seq: 0, eventId: 0 };
  const match = /^(\d{1,15}):(\d{1,18})$/.exec(raw);
  if (match === null) {
    throw new AgentOsError(
      'request.invalid',
      `Last-Event-ID / after must be a cursor "<seq>:<eventId>" from this stream, not "${raw}"`,
    );
  }
  return { seq: Number(match[1]), eventId: Number(match[2]) };
}

export type ConversationEvent =
  | { type: 'message'; cursor: ConversationCursor; data: ConversationMessage }
  | {
      type: 'reply.delta' | 'reply.status';
      cursor: ConversationCursor;
      data: { runId: string; agentId: string; [key: string]: unknown };
    };

const STATUS_EVENTS: Record<string, string> = {
  'run.started': 'running',
  'run.paused': 'paused',
  'run.resumed': 'queued',
  'run.finished': 'finished',
};

/** What happened after `cursor`: new messages first, then the live events of replies not yet written. */
export async function conversationEventsAfter(
  db: SqlClient,
  conversationId: string,
  cursor: ConversationCursor,
): Promise<{ events: ConversationEvent[]; pendingRunIds: string[] }> {
  const events: ConversationEvent[] = [];
  let { seq, eventId } = cursor;
  for (const message of await listMessages(db, conversationId, { afterSeq: seq, limit: 500 })) {
    seq = message.seq;
    events.push({ type: 'message', cursor: { seq, eventId }, data: message });
  }
  const pending = await db.query<{ id: string; agent_id: string }>(
    `SELECT r.id, r.agent_id FROM runs r WHERE r.conversation_id = $1
       AND NOT EXISTS (SELECT 1 FROM conversation_messages m WHERE m.run_id = r.id)`,
    [conversationId],
  );
  const agentOf = new Map(pending.rows.map((row) => [row.id, row.agent_id]));
  if (agentOf.size > 0) {
    const { rows } = await db.query<{
      id: string;
      run_id: string;
      type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT id, run_id, type, data FROM run_events
       WHERE run_id = ANY($1::text[]) AND id > $2
         AND type IN ('model.delta', 'run.started', 'run.paused', 'run.resumed', 'run.finished')
       ORDER BY id LIMIT 500`,
      [[...agentOf.keys()], eventId],
    );
    for (const row of rows) {
      eventId = Number(row.id);
      const base = { runId: row.run_id, agentId: agentOf.get(row.run_id) ?? '' };
      if (row.type === 'model.delta') {
        events.push({
          type: 'reply.delta',
          cursor: { seq, eventId },
          data: { ...base, turn: row.data.turn, text: row.data.text },
        });
      } else {
        const status = row.type === 'run.finished' ? row.data.status : STATUS_EVENTS[row.type];
        events.push({ type: 'reply.status', cursor: { seq, eventId }, data: { ...base, status } });
      }
    }
  }
  return { events, pendingRunIds: [...agentOf.keys()] };
}

/** In-process wake-ups for streams of a conversation (other processes' writes are found by polling). */
const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function conversationChanged(conversationId: string): void {
  emitter.emit(conversationId);
}

export function onConversationChanged(conversationId: string, listener: () => void): () => void {
  emitter.on(conversationId, listener);
  return () => emitter.off(conversationId, listener);
}
