import { createHash } from 'node:crypto';

/** Who did it: a person (through an API key), an agent (on a person's behalf) or Agent OS itself. */
export interface AuditActor {
  type: 'user' | 'agent' | 'system';
  id: string;
  onBehalfOf?: string;
  /** The API key a user acted through. */
  keyId?: string;
}

export interface AuditResource {
  type: string;
  id: string | null;
}

/** What a caller asks to record; seq, time and hashes are assigned by `appendAudit`. */
export interface AuditEntryInput {
  workspaceId: string | null;
  actor: AuditActor;
  /** `api.POST /api/keys`, `run.start`, `model.call`, `tool.call`, `policy.decision`, … */
  action: string;
  resource: AuditResource;
  /** Metadata only: hashes of arguments, never raw content. Secrets are redacted before writing. */
  data?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  at: Date;
  workspaceId: string | null;
  actor: AuditActor;
  action: string;
  resource: AuditResource;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_COLUMNS = 'seq, workspace_id, at, actor, action, resource, data, prev_hash, hash';

export interface AuditRow {
  seq: number;
  workspace_id: string | null;
  at: Date;
  actor: AuditActor;
  action: string;
  resource: AuditResource;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export const toAuditEntry = (row: AuditRow): AuditEntry => ({
  seq: Number(row.seq),
  at: row.at,
  workspaceId: row.workspace_id,
  actor: row.actor,
  action: row.action,
  resource: row.resource,
  data: row.data,
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** JSON with object keys sorted: jsonb reorders keys, so a stored entry must hash like the one written. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const record = inner as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  });
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The chained hash of one entry: every field, including its seq and the hash of the entry before it. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      seq: entry.seq,
      at: entry.at.toISOString(),
      workspaceId: entry.workspaceId,
      actor: entry.actor,
      action: entry.action,
      resource: entry.resource,
      data: entry.data,
      prevHash: entry.prevHash,
    }),
  );
}
