import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import { type EvalSuite, evalSuiteSchema } from './eval-suite.ts';
import type { CriterionResult } from './evaluate-criteria.ts';

export interface StoredSuite {
  name: string;
  agent: string;
  definition: EvalSuite;
  createdAt: Date;
  updatedAt: Date;
}

export interface EvalRunRecord {
  id: string;
  suiteName: string;
  suite: EvalSuite;
  agentId: string;
  agentVersion: number;
  userId: string | null;
  status: 'running' | 'completed';
  passed: number | null;
  total: number;
  score: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface CaseResult {
  caseId: string;
  position: number;
  runId: string;
  status: 'pending' | 'scored';
  passed: boolean | null;
  score: number | null;
  criteria: CriterionResult[] | null;
  runStatus: string | null;
  answer: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  judgeUsage: { inputTokens: number; outputTokens: number; costUsd: number } | null;
}

interface SuiteRow {
  name: string;
  agent: string;
  definition: unknown;
  created_at: Date;
  updated_at: Date;
}

const toSuite = (row: SuiteRow): StoredSuite => ({
  name: row.name,
  agent: row.agent,
  definition: evalSuiteSchema.parse(row.definition),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Creates the suite, or replaces the one with its name. */
export async function saveSuite(
  db: SqlClient,
  workspaceId: string,
  userId: string,
  suite: EvalSuite,
): Promise<{ suite: StoredSuite; created: boolean }> {
  const { rows } = await db.query<SuiteRow & { created: boolean }>(
    `INSERT INTO eval_suites (workspace_id, name, agent, definition, created_by)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (workspace_id, name) DO UPDATE SET agent = EXCLUDED.agent, definition = EXCLUDED.definition,
       updated_at = now()
     RETURNING name, agent, definition, created_at, updated_at, (xmax = 0) AS created`,
    [workspaceId, suite.name, suite.agent, jsonParam(suite), userId],
  );
  const row = rows[0]!;
  return { suite: toSuite(row), created: row.created };
}

export async function getSuite(db: SqlClient, workspaceId: string, name: string): Promise<StoredSuite> {
  const { rows } = await db.query<SuiteRow>(
    'SELECT name, agent, definition, created_at, updated_at FROM eval_suites WHERE workspace_id = $1 AND name = $2',
    [workspaceId, name],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No eval suite "${name}"`);
  return toSuite(rows[0]);
}

export async function listSuites(db: SqlClient, workspaceId: string): Promise<StoredSuite[]> {
  const { rows } = await db.query<SuiteRow>(
    'SELECT name, agent, definition, created_at, updated_at FROM eval_suites WHERE workspace_id = $1 ORDER BY name',
    [workspaceId],
  );
  return rows.map(toSuite);
}

export async function deleteSuite(db: SqlClient, workspaceId: string, name: string): Promise<void> {
  const { rows } = await db.query(
    'DELETE FROM eval_suites WHERE workspace_id = $1 AND name = $2 RETURNING name',
    [workspaceId, name],
  );
  if (rows.length === 0) throw new AgentOsError('resource.not_found', `No eval suite "${name}"`);
}

interface EvalRunRow {
  id: string;
  suite_name: string;
  suite: unknown;
  agent_id: string;
  agent_version: number;
  user_id: string | null;
  status: 'running' | 'completed';
  passed: number | null;
  total: number;
  score: number | null;
  created_at: Date;
  finished_at: Date | null;
}

const EVAL_RUN_COLUMNS =
  'id, suite_name, suite, agent_id, agent_version, user_id, status, passed, total, score, created_at, finished_at';

const toEvalRun = (row: EvalRunRow): EvalRunRecord => ({
  id: row.id,
  suiteName: row.suite_name,
  suite: evalSuiteSchema.parse(row.suite),
  agentId: row.agent_id,
  agentVersion: row.agent_version,
  userId: row.user_id,
  status: row.status,
  passed: row.passed,
  total: row.total,
  score: row.score,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

/** The eval run and a pending result per case (with the run started for it), in the caller's transaction. */
export async function insertEvalRun(
  tx: SqlClient,
  run: {
    id: string;
    workspaceId: string;
    suite: EvalSuite;
    agentId: string;
    agentVersion: number;
    userId: string;
    caseRuns: ReadonlyArray<{ caseId: string; runId: string }>;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO eval_runs (id, workspace_id, suite_name, suite, agent_id, agent_version, user_id, status, total)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, 'running', $8)`,
    [
      run.id,
      run.workspaceId,
      run.suite.name,
      jsonParam(run.suite),
      run.agentId,
      run.agentVersion,
      run.userId,
      run.caseRuns.length,
    ],
  );
  for (const [position, { caseId, runId }] of run.caseRuns.entries()) {
    await tx.query(
      `INSERT INTO eval_case_results (eval_run_id, case_id, position, run_id, status) VALUES ($1, $2, $3, $4, 'pending')`,
      [run.id, caseId, position, runId],
    );
  }
}

export async function getEvalRun(db: SqlClient, workspaceId: string, id: string): Promise<EvalRunRecord> {
  const { rows } = await db.query<EvalRunRow>(
    `SELECT ${EVAL_RUN_COLUMNS} FROM eval_runs WHERE id = $1 AND workspace_id = $2`,
    [id, workspaceId],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No eval run "${id}"`);
  return toEvalRun(rows[0]);
}

export async function listEvalRuns(
  db: SqlClient,
  workspaceId: string,
  suiteName: string | undefined,
  limit: number,
): Promise<EvalRunRecord[]> {
  const { rows } = await db.query<EvalRunRow>(
    `SELECT ${EVAL_RUN_COLUMNS} FROM eval_runs WHERE workspace_id = $1 AND ($2::text IS NULL OR suite_name = $2)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [workspaceId, suiteName ?? null, limit],
  );
  return rows.map(toEvalRun);
}

interface CaseRow {
  case_id: string;
  position: number;
  run_id: string;
  status: 'pending' | 'scored';
  passed: boolean | null;
  score: number | null;
  criteria: CriterionResult[] | null;
  run_status: string | null;
  answer: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number | null;
  judge_usage: CaseResult['judgeUsage'];
}

export async function listCaseResults(db: SqlClient, evalRunId: string): Promise<CaseResult[]> {
  const { rows } = await db.query<CaseRow>(
    `SELECT case_id, position, run_id, status, passed, score, criteria, run_status, answer, input_tokens,
       output_tokens, cost_usd, latency_ms, judge_usage
     FROM eval_case_results WHERE eval_run_id = $1 ORDER BY position`,
    [evalRunId],
  );
  return rows.map((row) => ({
    caseId: row.case_id,
    position: row.position,
    runId: row.run_id,
    status: row.status,
    passed: row.passed,
    score: row.score,
    criteria: row.criteria,
    runStatus: row.run_status,
    answer: row.answer,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    judgeUsage: row.judge_usage,
  }));
}

export type ScoredCase = Omit<CaseResult, 'position' | 'runId' | 'status'>;

/** Records a case's score once: a concurrent scorer that lost the race writes nothing. */
export async function recordCaseScore(db: SqlClient, evalRunId: string, scored: ScoredCase): Promise<void> {
  await db.query(
    `UPDATE eval_case_results SET status = 'scored', passed = $3, score = $4, criteria = $5::jsonb, run_status = $6,
       answer = $7, input_tokens = $8, output_tokens = $9, cost_usd = $10, latency_ms = $11, judge_usage = $12::jsonb,
       scored_at = now()
     WHERE eval_run_id = $1 AND case_id = $2 AND status = 'pending'`,
    [
      evalRunId,
      scored.caseId,
      scored.passed,
      scored.score,
      jsonParam(scored.criteria),
      scored.runStatus,
      scored.answer,
      scored.inputTokens,
      scored.outputTokens,
      scored.costUsd,
      scored.latencyMs,
      jsonParam(scored.judgeUsage),
    ],
  );
}

/** Completes the eval run when no case is pending: the suite score is the share of passing cases. */
export async function completeIfScored(db: SqlClient, evalRunId: string): Promise<void> {
  await db.query(
    `UPDATE eval_runs e SET status = 'completed', finished_at = now(),
       passed = (SELECT count(*) FROM eval_case_results c WHERE c.eval_run_id = e.id AND c.passed),
       score = (SELECT count(*) FILTER (WHERE c.passed)::double precision / count(*) FROM eval_case_results c
                WHERE c.eval_run_id = e.id)
     WHERE e.id = $1 AND e.status = 'running'
       AND NOT EXISTS (SELECT 1 FROM eval_case_results c WHERE c.eval_run_id = e.id AND c.status = 'pending')`,
    [evalRunId],
  );
}
