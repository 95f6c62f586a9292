import type { SqlClient, SqlParam } from '../store/sql-client.ts';
import type { RunEventType } from './run-events.ts';
import { RUN_COLUMNS, type RunRecord, type RunRow, toRunRecord } from './run-record.ts';

/** The events after which a run reads differently in a list: its status, its usage, a cancel asked for. */
export const LIST_CHANGING_EVENTS: readonly RunEventType[] = [
  'run.queued',
  'run.started',
  'step.committed',
  'run.paused',
  'run.resumed',
  'run.cancel_requested',
  'run.finished',
];

/** The id of the newest run event (0 when there is none): where a feed of changes starts. */
export async function latestRunEventId(db: SqlClient): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>('SELECT max(id) AS id FROM run_events');
  return Number(rows[0]?.id ?? 0);
}

export interface RunChange {
  runId: string;
  /** Its newest list-changing event after the cursor. */
  eventId: number;
  /** What a list shows of the run now, as one string: when it differs, the run changed for a reader. */
  signature: string;
}

/**
 * The runs with a list-changing event after `afterEventId`, narrowed to those `readable` (a predicate over
 * `runs r` whose parameters start at $1: policy/run-access.ts `runReadersSql`), without their bodies; and the
 * newest event id, whichever run it belongs to, read first so an event written meanwhile is never skipped.
 */
export async function runChangesAfter(
  db: SqlClient,
  readable: { sql: string; params: SqlParam[] },
  afterEventId: number,
): Promise<{ changes: RunChange[]; latestEventId: number }> {
  const latest = await latestRunEventId(db);
  const next = readable.params.length + 1;
  const { rows } = await db.query<{ run_id: string; event_id: number; signature: string }>(
    `SELECT r.id AS run_id, e.event_id,
            concat_ws('|', r.status, r.updated_at::text, r.usage->>'inputTokens', r.usage->>'outputTokens',
              r.cancel_requested::text, r.finished_at::text) AS signature
     FROM (SELECT run_id, max(id) AS event_id FROM run_events
           WHERE id > $${next} AND type = ANY($${next + 1}::text[]) GROUP BY run_id) e
     JOIN runs r ON r.id = e.run_id
     WHERE ${readable.sql}
     ORDER BY e.event_id`,
    [...readable.params, afterEventId, [...LIST_CHANGING_EVENTS]],
  );
  return {
    changes: rows.map((row) => ({
      runId: row.run_id,
      eventId: Number(row.event_id),
      signature: row.signature,
    })),
    latestEventId: Math.max(latest, afterEventId),
  };
}

/** These runs as they are now, in any order (a run that is gone is left out). */
export async function runsByIds(db: SqlClient, runIds: readonly string[]): Promise<RunRecord[]> {
  if (runIds.length === 0) return [];
  const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::text[])`, [
    [...runIds],
  ]);
  return rows.map(toRunRecord);
}
