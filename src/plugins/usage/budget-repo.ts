import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { getAgent } from '../../core/agents/agent-repo.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { BudgetPeriod } from './usage-period.ts';

export interface Budget {
  id: string;
  workspaceId: string;
  /** Null for the workspace's own budget. */
  agentId: string | null;
  agentName: string | null;
  period: BudgetPeriod;
  limitUsd: number | null;
  limitTokens: number | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const budgetInputSchema = z
  .strictObject({
    /** An agent's id or name; absent for the workspace's budget. */
    agent: z.string().min(1).max(200).optional(),
    period: z.enum(['day', 'month']),
    limitUsd: z.number().nonnegative().max(1e9).optional(),
    limitTokens: z.number().int().nonnegative().max(1e15).optional(),
  })
  .refine((input) => input.limitUsd !== undefined || input.limitTokens !== undefined, {
    message: 'give limitUsd, limitTokens or both',
  });
export type BudgetInput = z.infer<typeof budgetInputSchema>;

interface BudgetRow {
  id: string;
  workspace_id: string;
  agent_id: string | null;
  agent_name: string | null;
  period: BudgetPeriod;
  limit_usd: number | null;
  limit_tokens: number | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const toBudget = (row: BudgetRow): Budget => ({
  id: row.id,
  workspaceId: row.workspace_id,
  agentId: row.agent_id,
  agentName: row.agent_name,
  period: row.period,
  limitUsd: row.limit_usd,
  limitTokens: row.limit_tokens === null ? null : Number(row.limit_tokens),
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const SELECT_BUDGETS = `SELECT b.id, b.workspace_id, b.agent_id, a.name AS agent_name, b.period, b.limit_usd,
  b.limit_tokens, b.created_by, b.created_at, b.updated_at
  FROM budgets b LEFT JOIN agents a ON a.id = b.agent_id`;

/** Every budget of the workspace: its own first, then its agents' by name. */
export async function listBudgets(db: SqlClient, workspaceId: string): Promise<Budget[]> {
  const { rows } = await db.query<BudgetRow>(
    `${SELECT_BUDGETS} WHERE b.workspace_id = $1 ORDER BY b.agent_id IS NOT NULL, a.name, b.period`,
    [workspaceId],
  );
  return rows.map(toBudget);
}

/** Sets the budget of a scope and period, replacing the limits it had. */
export async function setBudget(
  db: SqlClient,
  workspaceId: string,
  input: BudgetInput,
  createdBy: string | null,
): Promise<Budget> {
  const agentId = input.agent === undefined ? null : (await getAgent(db, workspaceId, input.agent)).id;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO budgets (id, workspace_id, agent_id, period, limit_usd, limit_tokens, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (workspace_id, COALESCE(agent_id, ''), period)
     DO UPDATE SET limit_usd = EXCLUDED.limit_usd, limit_tokens = EXCLUDED.limit_tokens, updated_at = now()
     RETURNING id`,
    [
      `bgt_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`,
      workspaceId,
      agentId,
      input.period,
      input.limitUsd ?? null,
      input.limitTokens ?? null,
      createdBy,
    ],
  );
  const id = rows[0]!.id;
  const budget = (await listBudgets(db, workspaceId)).find((b) => b.id === id);
  if (budget === undefined) throw new AgentOsError('internal', `Budget ${id} vanished while being set`);
  return budget;
}

export async function deleteBudget(db: SqlClient, workspaceId: string, id: string): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    'DELETE FROM budgets WHERE workspace_id = $1 AND id = $2 RETURNING id',
    [workspaceId, id],
  );
  if (rows.length === 0) throw new AgentOsError('resource.not_found', `No budget ${id} in this workspace`);
}
