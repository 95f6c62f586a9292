import type { Migration } from '../migration.ts';

export const approvalsAndLabels: Migration = {
  version: 8,
  name: 'approvals-and-labels',
  sql: `
-- A person's decision about one tool call the policy gate asked about, bound to exactly that call.
CREATE TABLE approvals (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  user_id text,
  turn int NOT NULL,
  call_index int NOT NULL,
  tool text NOT NULL,
  arguments_hash text NOT NULL,
  policy_version text NOT NULL,
  rule_id text NOT NULL,
  reason text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  requested_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  UNIQUE (run_id, turn, call_index, tool, arguments_hash, policy_version)
);
CREATE INDEX approvals_pending ON approvals (workspace_id, status, requested_at);

-- Per-workspace policy settings (absent row: the defaults).
CREATE TABLE workspace_policies (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
};
