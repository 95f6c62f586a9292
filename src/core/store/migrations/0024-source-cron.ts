import type { Migration } from '../migration.ts';

/** Knowledge sources re-synced on a cron schedule (read in a time zone), as an alternative to an interval. */
export const sourceCron: Migration = {
  version: 24,
  name: 'source-cron',
  sql: `
ALTER TABLE knowledge_sources
  ADD COLUMN schedule_cron text,
  ADD COLUMN schedule_timezone text,
  -- The next firing of schedule_cron; a sync is due once it has passed (null without a cron schedule).
  ADD COLUMN next_sync_at timestamptz;
ALTER TABLE knowledge_sources
  ADD CONSTRAINT knowledge_sources_one_schedule CHECK (schedule_minutes IS NULL OR schedule_cron IS NULL),
  ADD CONSTRAINT knowledge_sources_cron_timezone CHECK ((schedule_cron IS NULL) = (schedule_timezone IS NULL));
-- The due query's cron half: live sources by their next firing.
CREATE INDEX knowledge_sources_next_sync ON knowledge_sources (next_sync_at)
  WHERE deleted_at IS NULL AND next_sync_at IS NOT NULL;
`,
};
