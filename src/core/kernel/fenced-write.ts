import type { AuditActor } from '../audit-log/audit-entry.ts';
import { redactSecrets } from '../audit-log/redact-secrets.ts';
import { jsonParam, type SqlClient } from '../store/sql-client.ts';
import type { RunEventType } from './run-events.ts';
import type { Lease } from './run-lease.ts';
import type { RunUsage } from './run-record.ts';

export interface StepWrite {
  turn: number;
  call_index: number;
  /** A registered step kind's name (step-kinds.ts). */
  kind: string;
  status: 'started' | 'completed' | 'unknown';
  idempotency_key: string;
  name: string;
  inputs_hash: string;
  input: unknown;
  result: unknown;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** When this attempt began the step (ISO time); the write's own time when absent. */
  started_at?: string;
  /** When a completed step ended (ISO time); the write's own time when absent. */
  finished_at?: string;
}

export interface UsageDelta {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
}

/** How the run row itself changes: still running, paused for a person, or ended. */
export type RunTransition =
  | { to: 'running' }
  | { to: 'paused'; pause: unknown }
  | { to: 'succeeded' | 'failed' | 'cancelled' | 'budget_exceeded'; output: unknown; error: unknown };

export interface FencedWrite {
  /** Whether this write counts as progress of the attempt (steps do; notices do not). */
  progress: boolean;
  steps?: StepWrite[];
  usage?: UsageDelta;
  events?: Array<{ type: RunEventType; data: Record<string, unknown> }>;
  audit?: Array<{ action: string; data: Record<string, unknown> }>;
  transition?: RunTransition;
}

export interface AuditContext {
  workspaceId: string;
  actor: AuditActor;
}

export interface PendingWrite {
  lease: Lease;
  context: AuditContext;
  write: FencedWrite;
}

/** For each write: the run's state after it, or undefined when the fence refused it (lease lost). */
export type WriteOutcome = { cancelRequested: boolean; usage: RunUsage } | undefined;

/**
 * Journal writes of any number of runs (at most one write per run) as ONE statement: fence every lease,
 * update the runs, upsert steps, append events and audit entries. Data-modifying CTEs run atomically and
 * hang off the fence's rows, so a stale worker's write inserts nothing while the others commit. Rows are
 * locked in id order, so two batches cannot deadlock. One round trip for many runs is what keeps a durable
 * step cheap on the embedded store (group commit).
 */
const FENCED_WRITES = `
WITH w AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(i int, run_id text, attempt int, worker text, progress boolean,
    usage jsonb, transition text, pause jsonb, output jsonb, error jsonb, workspace_id text, actor jsonb)
),
locked AS (
  SELECT runs.id FROM runs JOIN w ON runs.id = w.run_id ORDER BY runs.id FOR UPDATE OF runs
),
fence AS (
  UPDATE runs SET
    progress_attempt = CASE WHEN w.progress THEN runs.attempt ELSE runs.progress_attempt END,
    usage = CASE WHEN w.usage IS NULL THEN runs.usage ELSE jsonb_build_object(
      'inputTokens', (runs.usage->>'inputTokens')::bigint + (w.usage->>'inputTokens')::bigint,
      'outputTokens', (runs.usage->>'outputTokens')::bigint + (w.usage->>'outputTokens')::bigint,
      'costUsd', (runs.usage->>'costUsd')::float8 + (w.usage->>'costUsd')::float8,
      'modelCalls', (runs.usage->>'modelCalls')::int + (w.usage->>'modelCalls')::int,
      'toolCalls', (runs.usage->>'toolCalls')::int + (w.usage->>'toolCalls')::int) END,
    status = COALESCE(w.transition, runs.status),
    pause = CASE WHEN w.transition = 'paused' THEN w.pause ELSE runs.pause END,
    output = CASE WHEN w.transition IS NOT NULL AND w.transition <> 'paused' THEN w.output ELSE runs.output END,
    error = CASE WHEN w.transition IS NOT NULL AND w.transition <> 'paused' THEN w.error ELSE runs.error END,
    lease_owner = CASE WHEN w.transition IS NULL THEN runs.lease_owner END,
    lease_expires_at = CASE WHEN w.transition IS NULL THEN runs.lease_expires_at END,
    finished_at = CASE WHEN w.transition IS NOT NULL AND w.transition <> 'paused' THEN now() ELSE runs.finished_at END,
    updated_at = now()
  FROM w JOIN locked ON locked.id = w.run_id
  WHERE runs.id = w.run_id AND runs.attempt = w.attempt AND runs.lease_owner = w.worker AND runs.status = 'running'
  RETURNING w.i, runs.id, w.attempt, w.workspace_id, w.actor, runs.cancel_requested, runs.usage
),
steps AS (
  INSERT INTO run_steps (run_id, turn, call_index, kind, status, attempt, idempotency_key, name, inputs_hash,
    input, result, input_tokens, output_tokens, cost_usd, started_at, finished_at)
  SELECT fence.id, s.turn, s.call_index, s.kind, s.status, fence.attempt, s.idempotency_key, s.name, s.inputs_hash,
    s.input, s.result, s.input_tokens, s.output_tokens, s.cost_usd, COALESCE(s.started_at, now()),
    CASE WHEN s.status = 'completed' THEN COALESCE(s.finished_at, now()) END
  FROM fence JOIN jsonb_to_recordset($2::jsonb) AS s(i int, turn int, call_index int, kind text, status text,
    idempotency_key text, name text, inputs_hash text, input jsonb, result jsonb, input_tokens int,
    output_tokens int, cost_usd float8, started_at timestamptz, finished_at timestamptz) ON s.i = fence.i
  -- A step written ahead as started keeps the start of that write when it completes.
  ON CONFLICT (run_id, turn, call_index) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt,
    result = COALESCE(EXCLUDED.result, run_steps.result), finished_at = EXCLUDED.finished_at,
    started_at = CASE WHEN EXCLUDED.status = 'started' THEN EXCLUDED.started_at ELSE run_steps.started_at END
  RETURNING 1
),
events AS (
  INSERT INTO run_events (run_id, type, data)
  SELECT fence.id, e.type, e.data
  FROM fence JOIN jsonb_to_recordset($3::jsonb) AS e(i int, n int, type text, data jsonb) ON e.i = fence.i
  ORDER BY e.i, e.n
  RETURNING 1
),
audit AS (
  INSERT INTO audit_outbox (workspace_id, actor, action, resource, data)
  SELECT fence.workspace_id, fence.actor, a.action, jsonb_build_object('type', 'run', 'id', fence.id), a.data
  FROM fence JOIN jsonb_to_recordset($4::jsonb) AS a(i int, n int, action text, data jsonb) ON a.i = fence.i
  ORDER BY a.i, a.n
  RETURNING 1
)
SELECT i, cancel_requested, usage FROM fence`;

export async function writeFencedBatch(
  db: SqlClient,
  pending: readonly PendingWrite[],
): Promise<WriteOutcome[]> {
  const runs = pending.map(({ lease, context, write }, i) => {
    const transition = write.transition ?? { to: 'running' };
    return {
      i,
      run_id: lease.runId,
      attempt: lease.attempt,
      worker: lease.workerId,
      progress: write.progress,
      usage: write.usage ?? null,
      transition: transition.to === 'running' ? null : transition.to,
      pause: transition.to === 'paused' ? transition.pause : null,
      output: 'output' in transition ? transition.output : null,
      error: 'error' in transition ? transition.error : null,
      workspace_id: context.workspaceId,
      actor: context.actor,
    };
  });
  const steps = pending.flatMap(({ write }, i) => (write.steps ?? []).map((step) => ({ i, ...step })));
  const events = pending.flatMap(({ write }, i) =>
    (write.events ?? []).map((event, n) => ({ i, n, ...event })),
  );
  const audit = pending.flatMap(({ write }, i) =>
    (write.audit ?? []).map((entry, n) => ({ i, n, action: entry.action, data: redactSecrets(entry.data) })),
  );
  const { rows } = await db.query<{ i: number; cancel_requested: boolean; usage: RunUsage }>(FENCED_WRITES, [
    jsonParam(runs),
    jsonParam(steps),
    jsonParam(events),
    jsonParam(audit),
  ]);
  const outcomes: WriteOutcome[] = pending.map(() => undefined);
  for (const row of rows) outcomes[row.i] = { cancelRequested: row.cancel_requested, usage: row.usage };
  return outcomes;
}
