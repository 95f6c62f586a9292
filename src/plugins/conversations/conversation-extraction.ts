import type { RunRecord } from '../../core/kernel/run-record.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';

/**
 * End-of-run extraction in a conversation (kernel/run-extraction.ts) reads more than its own run: the
 * conversation's messages since the last extraction for the same person. Each run claims its window
 * (conversation_extractions) before the extraction call, under the conversation's row lock, so concurrent
 * runs never share a message, and a replay finds its claim and rebuilds the same prompt.
 */
export interface ExtractionWindow {
  /** Messages with fromSeq < seq <= uptoSeq. */
  fromSeq: number;
  uptoSeq: number;
}

/** This run's window: the one it claimed before, or the messages from the person's cursor to the one it answers. */
export async function claimExtractionWindow(
  db: Store,
  claim: { conversationId: string; userId: string; runId: string; answeredSeq: number },
): Promise<ExtractionWindow> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [claim.conversationId]);
    const mine = await tx.query<{ from_seq: number; upto_seq: number }>(
      'SELECT from_seq, upto_seq FROM conversation_extractions WHERE run_id = $1',
      [claim.runId],
    );
    if (mine.rows[0] !== undefined) {
      return { fromSeq: Number(mine.rows[0].from_seq), uptoSeq: Number(mine.rows[0].upto_seq) };
    }
    const { rows } = await tx.query<{ cursor: number | null }>(
      `SELECT max(upto_seq) AS cursor FROM conversation_extractions WHERE conversation_id = $1 AND user_id = $2`,
      [claim.conversationId, claim.userId],
    );
    const fromSeq = Number(rows[0]?.cursor ?? 0);
    // A later message's run may have claimed past this one's: then the window is empty, the answer still new.
    const window = { fromSeq, uptoSeq: Math.max(fromSeq, claim.answeredSeq) };
    await tx.query(
      `INSERT INTO conversation_extractions (run_id, conversation_id, user_id, from_seq, upto_seq)
       VALUES ($1, $2, $3, $4, $5)`,
      [claim.runId, claim.conversationId, claim.userId, window.fromSeq, window.uptoSeq],
    );
    return window;
  });
}

/**
 * The window's messages the person's memory may take: their own, and the succeeded replies of runs acting
 * for them — except replies whose run extracted itself (its answer was in its own extraction). Other
 * people's turns in a shared conversation stay out of this person's memories.
 */
export async function windowMessages(
  db: SqlClient,
  conversationId: string,
  userId: string,
  window: ExtractionWindow,
): Promise<string[]> {
  if (window.uptoSeq <= window.fromSeq) return [];
  const { rows } = await db.query<{
    seq: number;
    role: 'user' | 'agent';
    name: string | null;
    content: string;
  }>(
    `SELECT m.seq, m.role, COALESCE(u.name, a.name) AS name, m.content
     FROM conversation_messages m
     LEFT JOIN users u ON u.id = m.user_id
     LEFT JOIN agents a ON a.id = m.agent_id
     LEFT JOIN runs r ON r.id = m.run_id
     WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq <= $3
       AND ((m.role = 'user' AND m.user_id = $4)
         OR (m.role = 'agent' AND m.status = 'succeeded' AND r.user_id = $4
             AND NOT EXISTS (SELECT 1 FROM conversation_extractions x WHERE x.run_id = m.run_id)))
     ORDER BY m.seq`,
    [conversationId, window.fromSeq, window.uptoSeq, userId],
  );
  return rows.map(
    (row) => `#${row.seq} ${row.name ?? row.role}${row.role === 'agent' ? ' (agent)' : ''}: ${row.content}`,
  );
}

/** What a conversation run's extraction reads besides its own transcript; undefined outside a conversation. */
export async function conversationExtraction(
  db: Store,
  run: RunRecord,
): Promise<{ window: ExtractionWindow; messages: string[] } | undefined> {
  const ref = run.input.conversation;
  if (ref === undefined || run.userId === null) return undefined;
  const window = await claimExtractionWindow(db, {
    conversationId: ref.id,
    userId: run.userId,
    runId: run.id,
    answeredSeq: ref.seq,
  });
  return { window, messages: await windowMessages(db, ref.id, run.userId, window) };
}
