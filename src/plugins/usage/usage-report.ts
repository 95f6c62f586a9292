import { z } from 'zod';
import type { SqlClient } from '../../core/store/sql-client.ts';

export const USAGE_GROUPS = ['agent', 'user', 'workspace', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageFigures {
  runs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
  /** The runs that ran and ended: those `avgLatencyMs` averages. */
  timedRuns: number;
  /** Their mean active time, start to end less the time paused for a person; null without any. */
  avgLatencyMs: number | null;
}

export interface UsageRow extends UsageFigures {
  /** The agent, user or workspace id, or the UTC day (YYYY-MM-DD); null for runs without a user. */
  key: string | null;
  /** The agent's, user's or workspace's name. */
  label: string | null;
}

export interface UsageReport {
  groupBy: UsageGroup;
  /** `workspace`: every run of the workspace; `user`: only the asking user's runs. */
  scope: 'workspace' | 'user';
  from: string;
  to: string;
  rows: UsageRow[];
  total: UsageFigures;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day (YYYY-MM-DD) or an ISO date-time; a day as `to` includes that whole day. */
export const usageBoundSchema = z
  .string()
  .refine(
    (value) => DAY.test(value) || !Number.isNaN(Date.parse(value)),
    'a date (YYYY-MM-DD) or an ISO date-time',
  )
  .refine((value) => !DAY.test(value) || !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'not a real day');

export function parseBound(value: string, edge: 'from' | 'to'): Date {
  if (!DAY.test(value)) return new Date(value);
  const day = new Date(`${value}T00:00:00Z`);
  return edge === 'from' ? day : new Date(day.getTime() + 86_400_000);
}

const GROUPS: Record<UsageGroup, { key: string; label: string; join: string; order: string }> = {
  agent: {
    key: 'r.agent_id',
    label: 'a.name',
    join: 'LEFT JOIN agents a ON a.id = r.agent_id',
    order: 'cost_usd DESC, key',
  },
  user: {
    key: 'r.user_id',
    label: 'u.name',
    join: 'LEFT JOIN users u ON u.id = r.user_id',
    order: 'cost_usd DESC, key',
  },
  workspace: {
    key: 'r.workspace_id',
    label: 'w.name',
    join: 'LEFT JOIN workspaces w ON w.id = r.workspace_id',
    order: 'cost_usd DESC, key',
  },
  day: {
    key: `to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    label: 'NULL::text',
    join: '',
    order: 'key',
  },
};

interface FigureRow {
  key: string | null;
  label: string | null;
  runs: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  model_calls: number;
  tool_calls: number;
  timed_runs: number;
  active_ms: number;
}

const figures = (row: FigureRow): UsageFigures => ({
  runs: Number(row.runs),
  inputTokens: Number(row.input_tokens),
  outputTokens: Number(row.output_tokens),
  totalTokens: Number(row.input_tokens) + Number(row.output_tokens),
  costUsd: Number(row.cost_usd),
  modelCalls: Number(row.model_calls),
  toolCalls: Number(row.tool_calls),
  timedRuns: Number(row.timed_runs),
  avgLatencyMs: averageMs(Number(row.active_ms), Number(row.timed_runs)),
});

const averageMs = (totalMs: number, runs: number) => (runs === 0 ? null : Math.round(totalMs / runs));

/**
 * Each run's active time in ms, over `runs r`: started to finished, less every pause (a `run.paused` event
 * to the next `run.resumed` or `run.finished`), so waiting for an approval or an answer is not latency.
 */
const ACTIVE_MS = `CASE WHEN r.started_at IS NOT NULL AND r.finished_at IS NOT NULL THEN
    GREATEST(0, EXTRACT(EPOCH FROM (r.finished_at - r.started_at)) * 1000 - COALESCE((
      SELECT sum(EXTRACT(EPOCH FROM (p.ended_at - p.created_at)) * 1000)
        FROM (SELECT e.type, e.created_at, lead(e.created_at) OVER (ORDER BY e.id) AS ended_at
                FROM run_events e
               WHERE e.run_id = r.id AND e.type IN ('run.paused', 'run.resumed', 'run.finished')) p
       WHERE p.type = 'run.paused' AND p.ended_at IS NOT NULL), 0))
  END`;

/**
 * Tokens, cost and calls of the runs created in [from, to), summed from each run's journaled usage,
 * grouped by agent, user, workspace or UTC day; restricted to one user's runs when `userId` is given.
 */
export async function usageReport(
  db: SqlClient,
  request: { workspaceId: string; userId?: string; groupBy: UsageGroup; from: Date; to: Date },
): Promise<UsageReport> {
  const group = GROUPS[request.groupBy];
  const params: (string | Date)[] = [request.workspaceId, request.from, request.to];
  if (request.userId !== undefined) params.push(request.userId);
  const { rows } = await db.query<FigureRow>(
    `SELECT ${group.key} AS key, ${group.label} AS label, count(*)::int AS runs,
            COALESCE(sum((r.usage->>'inputTokens')::float8), 0) AS input_tokens,
            COALESCE(sum((r.usage->>'outputTokens')::float8), 0) AS output_tokens,
            COALESCE(sum((r.usage->>'costUsd')::float8), 0) AS cost_usd,
            COALESCE(sum((r.usage->>'modelCalls')::float8), 0) AS model_calls,
            COALESCE(sum((r.usage->>'toolCalls')::float8), 0) AS tool_calls,
            count(*) FILTER (WHERE r.started_at IS NOT NULL AND r.finished_at IS NOT NULL)::int AS timed_runs,
            COALESCE(sum(${ACTIVE_MS}), 0)::float8 AS active_ms
       FROM runs r ${group.join}
      WHERE r.workspace_id = $1 AND r.created_at >= $2 AND r.created_at < $3
        ${request.userId === undefined ? '' : 'AND r.user_id = $4'}
      GROUP BY 1, 2 ORDER BY ${group.order}`,
    params,
  );
  const list = rows.map((row) => ({ key: row.key, label: row.label, ...figures(row) }));
  const activeMs = rows.reduce((sum, row) => sum + Number(row.active_ms), 0);
  const sums = list.reduce(
    (sum, row) => ({
      runs: sum.runs + row.runs,
      inputTokens: sum.inputTokens + row.inputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      totalTokens: sum.totalTokens + row.totalTokens,
      costUsd: sum.costUsd + row.costUsd,
      modelCalls: sum.modelCalls + row.modelCalls,
      toolCalls: sum.toolCalls + row.toolCalls,
      timedRuns: sum.timedRuns + row.timedRuns,
    }),
    {
      runs: 0,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      costUsd: 0,
      modelCalls: 0,
      toolCalls: 0,
      timedRuns: 0,
    },
  );
  const total: UsageFigures = { ...sums, avgLatencyMs: averageMs(activeMs, sums.timedRuns) };
  return {
    groupBy: request.groupBy,
    scope: request.userId === undefined ? 'workspace' : 'user',
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    rows: list,
    total,
  };
}
