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

export interface ChangedRun {
  run: RunRecord;
  /** Its newest list-changing event after the cursor. */
  eventId: number;
}

/**
 * The runs with a list-changing event after `afterEventId`, as they are now, narrowed to those `readable`
 * (a predicate over `runs r` whose parameters start at $1: policy/run-access.ts `runReadersSql`), and
 * the newest event id seen, whichever run it belongs to.
 */
export async function runsChangedAfter(
  db: SqlClient,
  readable: { sql: string; params: SqlParam[] },
  afterEventId: number,
): Promise<{ changed: ChangedRun[]; latestEventId: number }> {
  // Read first: an event written during the scan below is then after the returned id, never skipped.
  const latest = await latestRunEventId(db);
  const next = readable.params.length + 1;
  const { rows } = await db.query<RunRow & { event_id: number }>(
    `SELECT ${RUN_COLUMNS.split(',')
      .map((column) => `r.${column.trim()}`)
      .join(', ')}, e.event_id
     FROM (SELECT run_id, max(id) AS event_id FROM run_events
           WHERE id > $${next} AND type = ANY($${next + 1}::text[]) GROUP BY run_id) e
     JOIN runs r ON r.id = e.run_id
     WHERE ${readable.sql}
     ORDER BY e.event_id`,
    [...readable.params, afterEventId, [...LIST_CHANGING_EVENTS]],
  );
  return {
    changed: rows.map((row) => ({ run: toRunRecord(row), eventId: Number(row.event_id) })),
    latestEventId: Math.max(latest, afterEventId),
  };
}
