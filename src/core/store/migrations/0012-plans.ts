import type { Migration } from '../migration.ts';

export const plans: Migration = {
  version: 12,
  name: 'plans',
  sql: `
-- A DAG of steps written by a planner agent (create_plan) or submitted as a workflow file; the kernel runs it.
CREATE TABLE plans (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id text,
  -- The planner's run (create_plan), null for a submitted workflow.
  parent_run_id text REFERENCES runs(id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  definition jsonb NOT NULL,
  error jsonb,
  -- The creating request's key (the planner's tool call): the same key returns the same plan.
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX plans_idempotency ON plans (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX plans_active ON plans (updated_at) WHERE status IN ('queued', 'running');
CREATE INDEX plans_workspace ON plans (workspace_id, created_at DESC);

CREATE TABLE plan_nodes (
  plan_id text NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
  node_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  -- The current (or last) attempt, 0 before the first; attempts beyond the retry policy run the fallback agent.
  attempt int NOT NULL DEFAULT 0,
  run_id text REFERENCES runs(id) ON DELETE SET NULL,
  output jsonb,
  error jsonb,
  started_at timestamptz,
  -- Set when the current attempt has an outcome (tool nodes; agent nodes take theirs from the run).
  finished_at timestamptz,
  -- pending: not before this time (retry backoff); running tool node: re-executed after this time if no outcome.
  next_attempt_at timestamptz,
  PRIMARY KEY (plan_id, node_id)
);
`,
};
