import type { Migration } from '../migration.ts';

export const runProgressAndScheduler: Migration = {
  version: 5,
  name: 'run-progress-and-scheduler',
  sql: `
-- The last attempt that committed a step: a run is dead-lettered after max_attempts attempts
-- WITHOUT progress, not after max_attempts crashes of busy workers.
ALTER TABLE runs ADD COLUMN progress_attempt integer NOT NULL DEFAULT 0;

-- A client's own key for "start this run", so a retried request does not start it twice.
ALTER TABLE runs ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX runs_idempotency_key ON runs (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Live scheduler processes sharing the store; each takes 1/n of every provider's limits.
CREATE TABLE scheduler_members (
  member_id text PRIMARY KEY,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  snapshot jsonb NOT NULL DEFAULT '[]'
);
`,
};
