import { jsonParam, type SqlClient, type Store } from '../store/sql-client.ts';
import { chainPendingAudit } from './audit-chainer.ts';
import {
  AUDIT_COLUMNS,
  type AuditEntry,
  type AuditEntryInput,
  type AuditRow,
  toAuditEntry,
} from './audit-entry.ts';
import { redactSecrets } from './redact-secrets.ts';

function isStore(db: SqlClient): db is Store {
  return typeof (db as Partial<Store>).transaction === 'function';
}

/**
 * Records one entry. It is written to the outbox — inside the caller's transaction when given one, so it
 * commits or rolls back with the caller's work — and chained (sequence number, hash of its predecessor)
 * by `chainPendingAudit` in the order entries were written. Given a Store, it chains at once.
 */
export async function appendAudit(db: SqlClient, input: AuditEntryInput): Promise<void> {
  await db.query(
    `INSERT INTO audit_outbox (workspace_id, actor, action, resource, data) VALUES ($1, $2::jsonb, $3, $4::jsonb, $5::jsonb)`,
    [
      input.workspaceId,
      jsonParam(redactSecrets(input.actor)),
      input.action,
      jsonParam(redactSecrets(input.resource)),
      jsonParam(redactSecrets(input.data ?? {})),
    ],
  );
  if (isStore(db)) await chainPendingAudit(db);
}

export interface AuditFilter {
  /** Only entries with a greater seq. */
  after?: number | undefined;
  workspaceId?: string | undefined;
  action?: string | undefined;
}

/** One page of entries in seq order. */
export async function listAudit(
  db: SqlClient,
  filter: AuditFilter & { limit: number },
): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log
     WHERE seq > $1 AND ($2::text IS NULL OR workspace_id = $2) AND ($3::text IS NULL OR action = $3)
     ORDER BY seq LIMIT $4`,
    [filter.after ?? 0, filter.workspaceId ?? null, filter.action ?? null, filter.limit],
  );
  return rows.map(toAuditEntry);
}

/** Every matching entry in seq order, read a page at a time so a long log never sits in memory. */
export async function* readAudit(
  db: SqlClient,
  filter: AuditFilter = {},
  pageSize = 1_000,
): AsyncGenerator<AuditEntry[]> {
  let after = filter.after ?? 0;
  for (;;) {
    const page = await listAudit(db, { ...filter, after, limit: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.seq;
  }
}
