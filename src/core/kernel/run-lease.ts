import { AgentOsError } from '../errors/agent-os-error.ts';
import type { SqlClient, Store } from '../store/sql-client.ts';
import { RUN_COLUMNS, type RunRecord, type RunRow, toRunRecord } from './run-record.ts';

/** A worker's claim on one attempt of a run. The attempt number is the fencing token. */
export interface Lease {
  runId: string;
  attempt: number;
  workerId: string;
}

export class LeaseLostError extends AgentOsError {
  constructor(lease: Lease) {
    super(
      'run.lease_lost',
      `Worker ${lease.workerId} no longer owns attempt ${lease.attempt} of run ${lease.runId}`,
      {
        ...lease,
      },
    );
  }
}

const PRIORITY_ORDER = "CASE priority WHEN 'interactive' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END";

/**
 * Claims up to `limit` runs: queued ones that are due, and running ones whose lease expired
 * (their worker died). Each claim bumps the attempt, which fences out the previous owner.
 */
export async function claimRuns(
  db: SqlClient,
  workerId: string,
  leaseMs: number,
  limit: number,
): Promise<RunRecord[]> {
  const { rows } = await db.query<RunRow>(
    `WITH next AS (
       SELECT id FROM runs
       WHERE (status = 'queued' AND available_at <= now()) OR (status = 'running' AND lease_expires_at < now())
       ORDER BY ${PRIORITY_ORDER}, available_at, id
       LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     UPDATE runs AS r SET status = 'running', attempt = r.attempt + 1, lease_owner = $1,
       lease_expires_at = now() + ($2 * interval '1 millisecond'),
       started_at = COALESCE(r.started_at, now()), updated_at = now()
     FROM next WHERE r.id = next.id
     RETURNING ${RUN_COLUMNS.split(',')
       .map((column) => `r.${column.trim()}`)
       .join(', ')}`,
    [workerId, leaseMs, limit],
  );
  return rows.map(toRunRecord);
}

export interface HeartbeatResult {
  /** Runs this worker still owns, with whether someone asked to cancel them. */
  kept: Map<string, { attempt: number; cancelRequested: boolean }>;
}

/** Extends every lease this worker holds in one statement. A run missing from the answer is lost. */
export async function renewLeases(
  db: SqlClient,
  workerId: string,
  leaseMs: number,
  runIds: readonly string[],
): Promise<HeartbeatResult> {
  const kept = new Map<string, { attempt: number; cancelRequested: boolean }>();
  if (runIds.length === 0) return { kept };
  const { rows } = await db.query<{ id: string; attempt: number; cancel_requested: boolean }>(
    `UPDATE runs SET lease_expires_at = now() + ($2 * interval '1 millisecond')
     WHERE lease_owner = $1 AND status = 'running' AND id = ANY($3::text[])
     RETURNING id, attempt, cancel_requested`,
    [workerId, leaseMs, runIds],
  );
  for (const row of rows) kept.set(row.id, { attempt: row.attempt, cancelRequested: row.cancel_requested });
  return { kept };
}

/**
 * Locks the run row and checks this worker still owns this attempt; every journal write starts here,
 * in the same transaction, so a stale worker can never commit a step.
 */
export async function fenceLease(
  tx: SqlClient,
  lease: Lease,
  options: { progress: boolean } = { progress: true },
): Promise<{ cancelRequested: boolean }> {
  // One statement both locks the row and checks ownership; a step write also records that this attempt made progress.
  const { rows } = await tx.query<{ cancel_requested: boolean }>(
    `UPDATE runs SET progress_attempt = CASE WHEN $4 THEN attempt ELSE progress_attempt END
     WHERE id = $1 AND attempt = $2 AND lease_owner = $3 AND status = 'running'
     RETURNING cancel_requested`,
    [lease.runId, lease.attempt, lease.workerId, options.progress],
  );
  const row = rows[0];
  if (row === undefined) throw new LeaseLostError(lease);
  return { cancelRequested: row.cancel_requested };
}

/** Gives a run back to the queue after an unexpected failure of this worker, to be retried after `delayMs`. */
export async function releaseForRetry(db: Store, lease: Lease, delayMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
       available_at = now() + ($4 * interval '1 millisecond'), updated_at = now()
     WHERE id = $1 AND attempt = $2 AND lease_owner = $3 AND status = 'running'`,
    [lease.runId, lease.attempt, lease.workerId, delayMs],
  );
  return rowCount > 0;
}
