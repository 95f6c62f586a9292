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

export interface AuditPage {
  entries: AuditEntry[];
  /** Whether entries beyond this page match: older ones newest first, newer ones with `after`. */
  hasMore: boolean;
}

/**
 * One page for a reader: newest first, older than `before` when given; with `after` instead, oldest first
 * from there (following the log forward). One more row than the page is read to know whether more follow.
 */
export async function pageAudit(
  db: SqlClient,
  filter: AuditFilter & { before?: number | undefined; limit: number },
): Promise<AuditPage> {
  const forward = filter.after !== undefined;
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log
     WHERE seq > $1 AND ($2::bigint IS NULL OR seq < $2)
       AND ($3::text IS NULL OR workspace_id = $3) AND ($4::text IS NULL OR action = $4)
     ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT $5`,
    [
      filter.after ?? 0,
      filter.before ?? null,
      filter.workspaceId ?? null,
      filter.action ?? null,
      filter.limit + 1,
    ],
  );
  const entries = rows.slice(0, filter.limit).map(toAuditEntry);
  return { entries, hasMore: rows.length > filter.limit };
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
