import { jsonParam, type Store } from '../store/sql-client.ts';
import {
  type AuditActor,
  type AuditEntry,
  type AuditResource,
  GENESIS_HASH,
  hashAuditEntry,
} from './audit-entry.ts';
// Any fixed 64-bit number shared by every Agent OS process; next to the migration and first-start keys.
export const AUDIT_LOCK_KEY = '27418239865139317';

interface OutboxRow {
  id: number;
  workspace_id: string | null;
  at: Date;
  actor: AuditActor;
  action: string;
  resource: AuditResource;
  data: Record<string, unknown>;
}

/**
 * Moves entries written by journal steps (audit_outbox) into the hash chain, in the order they were
 * written, under the chain's lock. Returns how many were chained. Entries wait in the outbox for at
 * most one chaining interval; `verify` and the audit API chain first, so they never miss one.
 */
export async function chainPendingAudit(store: Store, batch = 1_000): Promise<number> {
  let total = 0;
  for (;;) {
    const chained = await store.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
      const pending = await tx.query<OutboxRow>(
        'DELETE FROM audit_outbox WHERE id IN (SELECT id FROM audit_outbox ORDER BY id LIMIT $1) RETURNING *',
        [batch],
      );
      if (pending.rows.length === 0) return 0;
      const last = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      );
      let seq = Number(last.rows[0]?.seq ?? 0);
      let prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
      const entries: AuditEntry[] = [];
      for (const row of [...pending.rows].sort((a, b) => Number(a.id) - Number(b.id))) {
        seq += 1;
        const unhashed = {
          seq,
          at: row.at,
          workspaceId: row.workspace_id,
          actor: row.actor,
          action: row.action,
          resource: row.resource,
          data: row.data,
          prevHash,
        };
        const entry = { ...unhashed, hash: hashAuditEntry(unhashed) };
        prevHash = entry.hash;
        entries.push(entry);
      }
      await tx.query(
        `INSERT INTO audit_log (seq, workspace_id, at, actor, action, resource, data, prev_hash, hash)
         SELECT e.seq, e.workspace_id, e.at, e.actor, e.action, e.resource, e.data, e.prev_hash, e.hash
         FROM jsonb_to_recordset($1::jsonb) AS e(seq bigint, workspace_id text, at timestamptz, actor jsonb,
           action text, resource jsonb, data jsonb, prev_hash text, hash text)`,
        [
          jsonParam(
            entries.map((e) => ({
              seq: e.seq,
              workspace_id: e.workspaceId,
              at: e.at.toISOString(),
              actor: e.actor,
              action: e.action,
              resource: e.resource,
              data: e.data,
              prev_hash: e.prevHash,
              hash: e.hash,
            })),
          ),
        ],
      );
      return entries.length;
    });
    total += chained;
    if (chained < batch) return total;
  }
}
