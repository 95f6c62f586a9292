import type { Migration } from '../migration.ts';

export const eventTriggers: Migration = {
  version: 13,
  name: 'event-triggers',
  sql: `
-- Event triggers: a run of one agent finishing (with one of the given statuses) starts a run of another.
ALTER TABLE triggers DROP CONSTRAINT triggers_kind_check;
ALTER TABLE triggers ADD CONSTRAINT triggers_kind_check CHECK (kind IN ('webhook', 'cron', 'event'));
ALTER TABLE triggers ADD COLUMN source_agent_id text;
ALTER TABLE triggers ADD COLUMN on_statuses text[];
-- Runs finished before this instant (less a safety margin) have been considered.
ALTER TABLE triggers ADD COLUMN event_cursor timestamptz;
-- Cron: the IANA time zone the expression is read in, and what to do with firings missed while down.
ALTER TABLE triggers ADD COLUMN timezone text NOT NULL DEFAULT 'UTC';
ALTER TABLE triggers ADD COLUMN missed text NOT NULL DEFAULT 'run_once' CHECK (missed IN ('run_once', 'skip'));
CREATE INDEX runs_finished_by_agent ON runs (agent_id, finished_at) WHERE finished_at IS NOT NULL;
`,
};
