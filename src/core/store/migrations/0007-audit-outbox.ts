import type { Migration } from '../migration.ts';

export const auditOutbox: Migration = {
  version: 7,
  name: 'audit-outbox',
  sql: `
-- Audit entries written in the same statement as the journal step they describe, without taking the
-- chain's lock; a chainer moves them into audit_log in order, hashing each with its predecessor.
CREATE TABLE audit_outbox (
  id bigserial PRIMARY KEY,
  workspace_id text,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor jsonb NOT NULL,
  action text NOT NULL,
  resource jsonb NOT NULL,
  data jsonb NOT NULL
);
`,
};
