import type { Migration } from '../migration.ts';

/**
 * Journal v2: a step's kind is the name its kind was registered under (the kernel's or a plugin's, such as
 * `conversation.summary`), so the closed list of kinds gives way to a check of the name's form. Which
 * kinds a run may hold is checked by the kernel that replays it (journal-check.ts), not by the table.
 */
export const openStepKinds: Migration = {
  version: 30,
  name: 'open-step-kinds',
  sql: `
ALTER TABLE run_steps DROP CONSTRAINT run_steps_kind_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_kind_check
  CHECK (kind ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$');
`,
};
