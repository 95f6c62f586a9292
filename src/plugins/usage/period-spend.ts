import type { SqlClient } from '../../core/store/sql-client.ts';
import { type BudgetPeriod, periodStart } from './usage-period.ts';

export interface Spend {
  costUsd: number;
  tokens: number;
}

export type BudgetScope = { workspaceId: string } | { agentId: string };

/**
 * What a workspace or an agent has spent in the current UTC day and month: the usage of its runs created
 * since the period began (a run is counted in the period it started in). One indexed range read:
 * runs_by_workspace or runs_by_agent_created.
 */
export async function periodSpend(
  db: SqlClient,
  scope: BudgetScope,
  now: Date,
): Promise<Record<BudgetPeriod, Spend>> {
  const [column, id] = 'agentId' in scope ? ['agent_id', scope.agentId] : ['workspace_id', scope.workspaceId];
  const tokens = `(usage->>'inputTokens')::float8 + (usage->>'outputTokens')::float8`;
  const { rows } = await db.query<{
    day_cost: number;
    day_tokens: number;
    month_cost: number;
    month_tokens: number;
  }>(
    `SELECT COALESCE(sum((usage->>'costUsd')::float8) FILTER (WHERE created_at >= $2), 0) AS day_cost,
            COALESCE(sum(${tokens}) FILTER (WHERE created_at >= $2), 0) AS day_tokens,
            COALESCE(sum((usage->>'costUsd')::float8), 0) AS month_cost,
            COALESCE(sum(${tokens}), 0) AS month_tokens
       FROM runs WHERE ${column} = $1 AND created_at >= $3`,
    [id, periodStart('day', now), periodStart('month', now)],
  );
  const row = rows[0];
  return {
    day: { costUsd: Number(row?.day_cost ?? 0), tokens: Number(row?.day_tokens ?? 0) },
    month: { costUsd: Number(row?.month_cost ?? 0), tokens: Number(row?.month_tokens ?? 0) },
  };
}
