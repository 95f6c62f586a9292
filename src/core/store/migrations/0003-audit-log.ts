import type { Migration } from '../migration.ts';

/**
 * The tamper-evident audit log. `seq` is assigned gap-free under an advisory lock by
 * `audit/audit-log.ts` (not a sequence: a rolled-back sequence value would leave a gap that
 * looks like a deleted entry). Append-only by convention; `audit/verify-audit.ts` catches edits.
 */
export const auditLog: Migration = {
  version: 3,
  name: 'audit-log',
  sql: `
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  workspace_id text,
  at timestamptz NOT NULL,
  actor jsonb NOT NULL,
  action text NOT NULL,
  resource jsonb NOT NULL,
  data jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, seq);

CREATE TABLE audit_checkpoints (
  seq bigint PRIMARY KEY,
  hash text NOT NULL,
  signature text NOT NULL,
  public_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
};
