import type { Migration } from '../migration.ts';

/**
 * An approval shows the exact call it covers: the arguments as the model sent them (values of arguments an
 * operator marked `secret` are masked), beside the hash that binds it. Older rows have none (null).
 */
export const approvalArguments: Migration = {
  version: 31,
  name: 'approval-arguments',
  sql: `ALTER TABLE approvals ADD COLUMN arguments jsonb;`,
};
