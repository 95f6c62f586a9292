import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit-log/audit-entry.ts';
import type { SqlClient } from '../store/sql-client.ts';

export type StepStatus = 'started' | 'completed' | 'failed' | 'unknown';

export interface JournalStep {
  turn: number;
  callIndex: number;
  /** The registered step kind (step-kinds.ts) this step belongs to. */
  kind: string;
  status: StepStatus;
  attempt: number;
  idempotencyKey: string;
  name: string | null;
  inputsHash: string;
  input: unknown;
  result: unknown;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  finishedAt: Date | null;
}

interface StepRow {
  turn: number;
  call_index: number;
  kind: string;
  status: StepStatus;
  attempt: number;
  idempotency_key: string;
  name: string | null;
  inputs_hash: string;
  input: unknown;
  result: unknown;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  started_at: Date;
  finished_at: Date | null;
}

/** The read side of the journal: every step of a run, in order. */
export async function listRunSteps(db: SqlClient, runId: string): Promise<JournalStep[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT turn, call_index, kind, status, attempt, idempotency_key, name, inputs_hash, input, result,
       input_tokens, output_tokens, cost_usd, started_at, finished_at
     FROM run_steps WHERE run_id = $1 ORDER BY turn, call_index`,
    [runId],
  );
  return rows.map((row) => ({
    turn: row.turn,
    callIndex: row.call_index,
    kind: row.kind,
    status: row.status,
    attempt: row.attempt,
    idempotencyKey: row.idempotency_key,
    name: row.name,
    inputsHash: row.inputs_hash,
    input: row.input,
    result: row.result,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }));
}

export { canonicalJson };

export function hashInputs(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function idempotencyKey(runId: string, turn: number, callIndex: number): string {
  return `${runId}:${turn}:${callIndex}`;
}
