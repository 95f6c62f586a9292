import { appendRunAudit } from '../audit-log/run-audit.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { containsPattern } from '../store/like-pattern.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { jsonParam, type SqlClient, type SqlParam, type Store } from '../store/sql-client.ts';
import type { RunInput } from './journal-format.ts';
import { JOURNAL_VERSION } from './journal-format.ts';
import type { Priority } from './model-gateway.ts';
import { appendRunEvent } from './run-events.ts';
import { hashInputs } from './run-journal.ts';
import { RUN_COLUMNS, type RunRecord, type RunRow, type RunStatus, toRunRecord } from './run-record.ts';

export interface NewRun {
  workspaceId: string;
  agentId: string;
  agentVersion: number;
  userId: string | null;
  input: RunInput;
  priority: Priority;
  /** The client's key for this request: the same key returns the run it already started. */
  idempotencyKey?: string | undefined;
  /** Set for a sub-agent's run (run_agent): the run that started it and its depth in the tree. */
  parentRunId?: string | undefined;
  depth?: number | undefined;
  /** A reply in a conversation (its visibility is the conversation's). */
  conversationId?: string | undefined;
  /** Not claimable until released (a later reply of a conversation waits for the ones before it). */
  held?: boolean | undefined;
}

export async function createRun(db: Store, run: NewRun): Promise<RunRecord> {
  try {
    return await insertRun(db, run);
  } catch (error) {
    // Two requests with one key raced: the loser reads the winner's run.
    if (run.idempotencyKey !== undefined && isUniqueViolation(error)) return insertRun(db, run);
    throw error;
  }
}

function insertRun(db: Store, run: NewRun): Promise<RunRecord> {
  return db.transaction(async (tx) => {
    if (run.idempotencyKey !== undefined) {
      const existing = await tx.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE workspace_id = $1 AND idempotency_key = $2`,
        [run.workspaceId, run.idempotencyKey],
      );
      const found = existing.rows[0];
      if (found !== undefined) {
        if (found.agent_id !== run.agentId || found.input.task !== run.input.task) {
          throw new AgentOsError(
            'resource.conflict',
            'This Idempotency-Key was already used for a different run',
          );
        }
        return toRunRecord(found);
      }
    }
    const { rows } = await tx.query<RunRow>(
      `INSERT INTO runs (id, workspace_id, agent_id, agent_version, user_id, status, priority, input, journal_version,
         idempotency_key, parent_run_id, depth, conversation_id, available_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7::jsonb, $8, $9, $10, $11, $12,
         CASE WHEN $13::boolean THEN 'infinity'::timestamptz ELSE now() END) RETURNING ${RUN_COLUMNS}`,
      [
        newId('run'),
        run.workspaceId,
        run.agentId,
        run.agentVersion,
        run.userId,
        run.priority,
        jsonParam(run.input),
        JOURNAL_VERSION,
        run.idempotencyKey ?? null,
        run.parentRunId ?? null,
        run.depth ?? 0,
        run.conversationId ?? null,
        run.held === true,
      ],
    );
    const record = toRunRecord(rows[0]!);
    await appendRunEvent(tx, record.id, 'run.queued', {
      agentId: run.agentId,
      agentVersion: run.agentVersion,
    });
    const submitted = {
      agentVersion: run.agentVersion,
      priority: run.priority,
      inputHash: hashInputs(run.input),
    };
    await appendRunAudit(tx, record.id, 'run.submit', submitted, 'submitter');
    return record;
  });
}

export async function getRun(db: SqlClient, workspaceId: string, runId: string): Promise<RunRecord> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND workspace_id = $2`,
    [runId, workspaceId],
  );
  if (rows[0] === undefined) throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
  return toRunRecord(rows[0]);
}

export async function getRunById(db: SqlClient, runId: string): Promise<RunRecord | undefined> {
  const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [runId]);
  return rows[0] === undefined ? undefined : toRunRecord(rows[0]);
}

export interface RunFilter {
  status?: RunStatus | undefined;
  agentId?: string | undefined;
  /** Text the task or the answer contains, case-insensitively (`%` and `_` are literal). */
  search?: string | undefined;
  limit: number;
}

/**
 * Runs of a workspace, newest first, narrowed to those `readable` (a predicate over `runs r` whose
 * parameters start at $1: policy/run-access.ts `runReadersSql`).
 */
export async function listRuns(
  db: SqlClient,
  readable: { sql: string; params: SqlParam[] },
  filter: RunFilter,
): Promise<RunRecord[]> {
  const next = readable.params.length + 1;
  const [status, agent, search, limit] = [next, next + 1, next + 2, next + 3];
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs r WHERE ${readable.sql}
       AND ($${status}::text IS NULL OR r.status = $${status}) AND ($${agent}::text IS NULL OR r.agent_id = $${agent})
       AND ($${search}::text IS NULL OR r.input->>'task' ILIKE $${search} ESCAPE '\\'
         OR r.output->>'text' ILIKE $${search} ESCAPE '\\')
     ORDER BY r.created_at DESC, r.id DESC LIMIT $${limit}`,
    [
      ...readable.params,
      filter.status ?? null,
      filter.agentId ?? null,
      filter.search === undefined ? null : containsPattern(filter.search),
      filter.limit,
    ],
  );
  return rows.map(toRunRecord);
}

/** Queued and paused runs end at once; a running run is told through its lease and stops at its next step. */
export async function requestCancel(db: Store, workspaceId: string, runId: string): Promise<RunRecord> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
      [runId, workspaceId],
    );
    const run = rows[0];
    if (run === undefined) throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
    if (['succeeded', 'failed', 'cancelled', 'budget_exceeded'].includes(run.status)) {
      throw new AgentOsError('run.invalid_state', `Run ${runId} has already ended (${run.status})`);
    }
    if (run.status === 'running') {
      const updated = await tx.query<RunRow>(
        `UPDATE runs SET cancel_requested = true, updated_at = now() WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
        [runId],
      );
      await appendRunEvent(tx, runId, 'run.cancel_requested', {});
      return toRunRecord(updated.rows[0]!);
    }
    const error = { code: 'run.cancelled', message: 'Cancelled before it finished' };
    const updated = await tx.query<RunRow>(
      `UPDATE runs SET status = 'cancelled', cancel_requested = true, error = $2::jsonb, lease_owner = NULL,
         lease_expires_at = NULL, finished_at = now(), updated_at = now() WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [runId, jsonParam(error)],
    );
    await appendRunEvent(tx, runId, 'run.finished', { status: 'cancelled', error });
    return toRunRecord(updated.rows[0]!);
  });
}

/**
 * What a person decides about a tool call whose outcome a crash made unknown:
 * run it again, treat it as done (with the output they saw), or fail the run.
 */
export type ResumeDecision =
  | { action: 'retry' }
  | { action: 'assume_done'; output?: unknown }
  | { action: 'fail'; reason?: string | undefined };

export async function resumeRun(
  db: Store,
  workspaceId: string,
  runId: string,
  decision: ResumeDecision | undefined,
): Promise<RunRecord> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
      [runId, workspaceId],
    );
    const run = rows[0];
    if (run === undefined) throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
    if (run.status !== 'paused' || run.pause === null) {
      throw new AgentOsError('run.invalid_state', `Run ${runId} is ${run.status}, not paused`);
    }
    const pause = run.pause;
    if (pause.reason === 'approval_required') {
      throw new AgentOsError(
        'run.invalid_state',
        `Run ${runId} waits for approval ${pause.approvalId}: decide it at /api/approvals/${pause.approvalId}`,
      );
    }
    if (pause.reason === 'question') {
      throw new AgentOsError(
        'run.invalid_state',
        `Run ${runId} waits for an answer: POST /api/runs/${runId}/answer`,
      );
    }
    if (decision === undefined) {
      throw new AgentOsError(
        'request.invalid',
        `Run ${runId} waits for a decision about tool "${pause.tool}": retry, assume_done or fail`,
      );
    }
    if (decision.action === 'fail') {
      const error = {
        code: 'run.decided_failed',
        message: decision.reason ?? 'Failed by a person after a tool outcome was unknown',
      };
      const updated = await tx.query<RunRow>(
        `UPDATE runs SET status = 'failed', error = $2::jsonb, pause = NULL, finished_at = now(), updated_at = now()
         WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
        [runId, jsonParam(error)],
      );
      await appendRunEvent(tx, runId, 'run.finished', { status: 'failed', error });
      return toRunRecord(updated.rows[0]!);
    }
    if (decision.action === 'retry') {
      await tx.query('DELETE FROM run_steps WHERE run_id = $1 AND turn = $2 AND call_index = $3', [
        runId,
        pause.turn,
        pause.callIndex,
      ]);
    } else {
      const result = { v: 1, output: decision.output ?? null, isError: false, via: 'decision' };
      await tx.query(
        `UPDATE run_steps SET status = 'completed', result = $4::jsonb, finished_at = now()
         WHERE run_id = $1 AND turn = $2 AND call_index = $3`,
        [runId, pause.turn, pause.callIndex, jsonParam(result)],
      );
    }
    const updated = await tx.query<RunRow>(
      `UPDATE runs SET status = 'queued', pause = NULL, available_at = now(), updated_at = now()
       WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [runId],
    );
    await appendRunEvent(tx, runId, 'run.resumed', { decision: decision.action });
    return toRunRecord(updated.rows[0]!);
  });
}
