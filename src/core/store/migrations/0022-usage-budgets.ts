import type { Migration } from '../migration.ts';

export const usageBudgets: Migration = {
  version: 22,
  name: 'usage-budgets',
  sql: `
-- Spending limits per workspace (agent_id NULL) or per agent, for a UTC day or a UTC month, in USD
-- and/or tokens. The LLM call path refuses a call once the period's spend has reached a limit.
CREATE TABLE budgets (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  agent_id text REFERENCES agents(id) ON DELETE CASCADE,
  period text NOT NULL CHECK (period IN ('day', 'month')),
  limit_usd double precision CHECK (limit_usd IS NULL OR limit_usd >= 0),
  limit_tokens bigint CHECK (limit_tokens IS NULL OR limit_tokens >= 0),
  created_by text REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (limit_usd IS NOT NULL OR limit_tokens IS NOT NULL)
);
-- One budget per scope and period: setting it again replaces its limits.
CREATE UNIQUE INDEX budgets_scope ON budgets (workspace_id, COALESCE(agent_id, ''), period);
-- The spend of an agent in a period is a sum over its runs created since the period began
-- (the workspace's uses runs_by_workspace).
CREATE INDEX runs_by_agent_created ON runs (agent_id, created_at);
`,
};
