import { getAgent } from '../../core/agents/agent-repo.ts';
import { userSeesAgent } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { requestCancel } from '../../core/kernel/run-repo.ts';
import { newId } from '../../core/store/ids.ts';
import { isUniqueViolation } from '../../core/store/pg-errors.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import { canonicalToolName } from '../../core/tools/tool-name.ts';
import type { ToolRegistry } from '../../core/tools/tool-registry.ts';
import { invalidPlan, type PlanDefinition, type PlanIssue } from './plan-definition.ts';

export type PlanStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type PlanNodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface PlanError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface PlanRecord {
  id: string;
  workspaceId: string;
  userId: string | null;
  parentRunId: string | null;
  status: PlanStatus;
  definition: PlanDefinition;
  error: PlanError | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface PlanNodeRecord {
  nodeId: string;
  status: PlanNodeStatus;
  attempt: number;
  runId: string | null;
  output: unknown;
  error: PlanError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

export interface PlanRow {
  id: string;
  workspace_id: string;
  user_id: string | null;
  parent_run_id: string | null;
  status: PlanStatus;
  definition: PlanDefinition;
  error: PlanError | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface PlanNodeRow {
  plan_id: string;
  node_id: string;
  status: PlanNodeStatus;
  attempt: number;
  run_id: string | null;
  output: unknown;
  error: PlanError | null;
  started_at: Date | null;
  finished_at: Date | null;
  next_attempt_at: Date | null;
}

export const PLAN_COLUMNS =
  'id, workspace_id, user_id, parent_run_id, status, definition, error, created_at, updated_at, finished_at';

export const isPlanFinished = (status: PlanStatus): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'cancelled';

export function toPlanRecord(row: PlanRow): PlanRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    parentRunId: row.parent_run_id,
    status: row.status,
    definition: {
      ...row.definition,
      nodes: row.definition.nodes.map((node) =>
        node.tool === undefined ? node : { ...node, tool: canonicalToolName(node.tool) },
      ),
    },
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function toPlanNodeRecord(row: PlanNodeRow): PlanNodeRecord {
  return {
    nodeId: row.node_id,
    status: row.status,
    attempt: row.attempt,
    runId: row.run_id,
    output: row.output,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    nextAttemptAt: row.next_attempt_at,
  };
}

/**
 * What a plan may name, checked against the workspace: agents exist and the plan's user sees them (an
 * invisible agent is reported exactly like a missing one); tool nodes name tools this process can
 * run, idempotent ones only (a plan step is re-executed with the same key after a crash), and — for a plan
 * written by an agent — tools that agent is granted, so a plan never reaches further than its planner.
 */
export async function planReferenceIssues(
  store: SqlClient,
  tools: ToolRegistry,
  workspaceId: string,
  userId: string | null,
  definition: PlanDefinition,
  grantedTools?: readonly string[],
): Promise<PlanIssue[]> {
  const issues: PlanIssue[] = [];
  const toolNames = definition.nodes.flatMap((node) => (node.tool === undefined ? [] : [node.tool]));
  const available = await tools.forRun(workspaceId, toolNames);
  for (const [i, node] of definition.nodes.entries()) {
    for (const [field, name] of [
      ['agent', node.agent],
      ['fallbackAgent', node.fallbackAgent],
    ] as const) {
      if (name === undefined) continue;
      const seen = await getAgent(store, workspaceId, name).then(
        (agent) => userSeesAgent(store, agent, userId),
        () => false,
      );
      if (!seen)
        issues.push({ path: `nodes.${i}.${field}`, message: `no agent "${name}" in this workspace` });
    }
    if (node.tool === undefined) continue;
    const tool = available.get(node.tool);
    if (tool === undefined) {
      issues.push({ path: `nodes.${i}.tool`, message: `no tool "${node.tool}"` });
    } else if (!tool.idempotent) {
      issues.push({
        path: `nodes.${i}.tool`,
        message: `tool "${node.tool}" is not idempotent: a plan may call only idempotent tools directly (use an agent node for it)`,
      });
    } else if (grantedTools !== undefined && !grantedTools.includes(node.tool)) {
      issues.push({
        path: `nodes.${i}.tool`,
        message: `the planning agent is not granted tool "${node.tool}"`,
      });
    }
  }
  return issues;
}

export interface NewPlan {
  workspaceId: string;
  userId: string | null;
  parentRunId?: string | undefined;
  definition: PlanDefinition;
  idempotencyKey?: string | undefined;
}

/** Inserts the plan and its nodes (all pending); the same idempotency key returns the plan it created. */
export async function createPlan(store: Store, plan: NewPlan): Promise<PlanRecord> {
  try {
    return await insertPlan(store, plan);
  } catch (error) {
    if (plan.idempotencyKey !== undefined && isUniqueViolation(error)) return insertPlan(store, plan);
    throw error;
  }
}

function insertPlan(store: Store, plan: NewPlan): Promise<PlanRecord> {
  return store.transaction(async (tx) => {
    if (plan.idempotencyKey !== undefined) {
      const existing = await tx.query<PlanRow>(
        `SELECT ${PLAN_COLUMNS} FROM plans WHERE workspace_id = $1 AND idempotency_key = $2`,
        [plan.workspaceId, plan.idempotencyKey],
      );
      if (existing.rows[0] !== undefined) return toPlanRecord(existing.rows[0]);
    }
    const { rows } = await tx.query<PlanRow>(
      `INSERT INTO plans (id, workspace_id, user_id, parent_run_id, status, definition, idempotency_key)
       VALUES ($1, $2, $3, $4, 'queued', $5::jsonb, $6) RETURNING ${PLAN_COLUMNS}`,
      [
        newId('plan'),
        plan.workspaceId,
        plan.userId,
        plan.parentRunId ?? null,
        jsonParam(plan.definition),
        plan.idempotencyKey ?? null,
      ],
    );
    const record = toPlanRecord(rows[0]!);
    await tx.query(
      `INSERT INTO plan_nodes (plan_id, node_id, status)
       SELECT $1, node_id, 'pending' FROM unnest($2::text[]) AS node_id`,
      [record.id, plan.definition.nodes.map((node) => node.id)],
    );
    return record;
  });
}

/** Checks the plan against the workspace, then creates it; every issue comes back at once as a 400. */
export async function submitPlan(
  store: Store,
  tools: ToolRegistry,
  plan: NewPlan & { grantedTools?: readonly string[] },
): Promise<PlanRecord> {
  const issues = await planReferenceIssues(
    store,
    tools,
    plan.workspaceId,
    plan.userId,
    plan.definition,
    plan.grantedTools,
  );
  if (issues.length > 0) throw invalidPlan(issues);
  return createPlan(store, plan);
}

export async function getPlan(db: SqlClient, workspaceId: string, planId: string): Promise<PlanRecord> {
  const { rows } = await db.query<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1 AND workspace_id = $2`,
    [planId, workspaceId],
  );
  if (rows[0] === undefined)
    throw new AgentOsError('resource.not_found', `No plan "${planId}" in this workspace`);
  return toPlanRecord(rows[0]);
}

/** The plan's nodes in the order of its definition. */
export async function listPlanNodes(db: SqlClient, plan: PlanRecord): Promise<PlanNodeRecord[]> {
  const { rows } = await db.query<PlanNodeRow>('SELECT * FROM plan_nodes WHERE plan_id = $1', [plan.id]);
  const byId = new Map(rows.map((row) => [row.node_id, toPlanNodeRecord(row)]));
  return plan.definition.nodes.flatMap((node) => {
    const found = byId.get(node.id);
    return found === undefined ? [] : [found];
  });
}

export async function listPlans(
  db: SqlClient,
  workspaceId: string,
  filter: { status?: PlanStatus | undefined; limit: number; userId?: string | undefined },
): Promise<PlanRecord[]> {
  const { rows } = await db.query<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM plans WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2)
       AND ($4::text IS NULL OR user_id = $4)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [workspaceId, filter.status ?? null, filter.limit, filter.userId ?? null],
  );
  return rows.map(toPlanRecord);
}

/** Ends a plan that has not finished: waiting nodes are skipped and the runs of running ones cancelled. */
export async function cancelPlan(
  store: Store,
  workspaceId: string,
  planId: string,
): Promise<{ plan: PlanRecord; cancelledRunIds: string[] }> {
  const { plan, runIds } = await store.transaction(async (tx) => {
    const { rows } = await tx.query<PlanRow>(
      `SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
      [planId, workspaceId],
    );
    const row = rows[0];
    if (row === undefined)
      throw new AgentOsError('resource.not_found', `No plan "${planId}" in this workspace`);
    if (isPlanFinished(row.status)) {
      throw new AgentOsError('resource.conflict', `Plan ${planId} has already ended (${row.status})`);
    }
    const error = { code: 'plan.cancelled', message: 'Cancelled before it finished' };
    const updated = await tx.query<PlanRow>(
      `UPDATE plans SET status = 'cancelled', error = $2::jsonb, updated_at = now(), finished_at = now()
       WHERE id = $1 RETURNING ${PLAN_COLUMNS}`,
      [planId, jsonParam(error)],
    );
    const running = await tx.query<{ run_id: string | null }>(
      `UPDATE plan_nodes SET status = 'skipped', error = $2::jsonb, finished_at = now()
       WHERE plan_id = $1 AND status IN ('pending', 'running') RETURNING run_id`,
      [planId, jsonParam(error)],
    );
    return {
      plan: toPlanRecord(updated.rows[0]!),
      runIds: running.rows.flatMap((r) => (r.run_id === null ? [] : [r.run_id])),
    };
  });
  await cancelRuns(store, workspaceId, runIds);
  return { plan, cancelledRunIds: runIds };
}

/** Best effort: a run that has ended meanwhile is left as it is. */
export async function cancelRuns(
  store: Store,
  workspaceId: string,
  runIds: readonly string[],
): Promise<void> {
  for (const runId of runIds) {
    await requestCancel(store, workspaceId, runId).catch(() => undefined);
  }
}
