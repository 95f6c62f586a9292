import type { Migration } from '../migration.ts';

export const contextSteps: Migration = {
  version: 11,
  name: 'context-steps',
  sql: `
-- The context builder's own journaled steps: the context snapshot a run starts from, the compaction of
-- older turns into a summary, and the end-of-run extraction of conclusions into memories.
ALTER TABLE run_steps DROP CONSTRAINT run_steps_kind_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_kind_check
  CHECK (kind IN ('model', 'tool', 'pause', 'context', 'compaction', 'extraction'));
`,
};
