import type { Migration } from '../migration.ts';

export const orchestration: Migration = {
  version: 9,
  name: 'orchestration',
  sql: `
-- A run started by another run's run_agent call: its parent and how deep it sits in the tree (root = 0).
ALTER TABLE runs ADD COLUMN parent_run_id text REFERENCES runs(id) ON DELETE CASCADE;
ALTER TABLE runs ADD COLUMN depth int NOT NULL DEFAULT 0;
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

-- Something outside starting runs (a signed webhook, a cron schedule), on behalf of the trigger's owner.
CREATE TABLE triggers (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('webhook', 'cron')),
  agent_id text NOT NULL,
  owner_user_id text NOT NULL,
  -- webhook: the HMAC key, sealed with the installation's secret key (the row id is the associated data).
  secret_sealed text,
  -- {"path": "a.b", "equals": <json>}: only payloads where that value equals it start a run.
  filter jsonb,
  daily_limit int NOT NULL,
  -- cron: the croner expression (UTC), the task each firing runs, and when it fires next.
  schedule text,
  task text,
  next_fire_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triggers_cron_due ON triggers (next_fire_at) WHERE kind = 'cron';
CREATE TABLE trigger_firings (
  trigger_id text NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  day date NOT NULL,
  count int NOT NULL,
  PRIMARY KEY (trigger_id, day)
);
`,
};
