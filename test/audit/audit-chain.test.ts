import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashAuditEntry } from '../../src/core/audit-log/audit-entry.ts';
import { appendAudit, listAudit } from '../../src/core/audit-log/audit-log.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { AuditCheckpointer } from '../../src/plugins/audit/audit-checkpointer.ts';
import { type AuditSigner, loadAuditSigner, writeCheckpoint } from '../../src/plugins/audit/audit-signer.ts';
import { verifyAudit } from '../../src/plugins/audit/verify-audit.ts';
import { eventually } from '../support/eventually.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const entry = (i: number) => ({
  workspaceId: i % 3 === 0 ? null : 'ws_test',
  actor: { type: 'user' as const, id: `usr_${i % 4}`, keyId: 'key_1' },
  action: i % 2 === 0 ? 'api.POST /api/keys' : 'tool.call',
  resource: { type: 'keys', id: `key_${i}` },
  data: { i, argumentsHash: `h${i}`, nested: { z: 1, a: [i, { y: 2, b: 'x' }] }, costUsd: 0.1 + 0.2 },
});

describe.each(storeTargets())('the audit chain on $kind', (target) => {
  let store: Store;
  let signer: AuditSigner;
  const problemsOf = async (publicKeys?: string[]) =>
    (await verifyAudit(store, { publicKeys, pageSize: 7 })).problems.map((p) => [p.kind, p.seq]);

  /** 50 entries: 20 one after another, 30 at once (half inside callers' own transactions), then a checkpoint. */
  async function writeChain(): Promise<void> {
    await store.query('TRUNCATE audit_log, audit_checkpoints');
    for (let i = 0; i < 20; i++) await appendAudit(store, entry(i));
    await Promise.all(
      Array.from({ length: 30 }, (_, k) =>
        k % 2 === 0
          ? appendAudit(store, entry(20 + k))
          : store.transaction(async (tx) => {
              await tx.query('SELECT 1');
              return appendAudit(tx, entry(20 + k));
            }),
      ),
    );
    expect(await writeCheckpoint(store, signer)).toMatchObject({ seq: 50 });
  }

  beforeAll(async () => {
    store = await target.open();
    signer = loadAuditSigner(tempHome(), {});
  });
  afterAll(async () => store.close());
  beforeEach(writeChain);

  it('keeps concurrent appends in one gap-free chain that verifies', async () => {
    const entries = await listAudit(store, { limit: 100 });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(entries[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    expect(new Set(entries.map((e) => (e.data as { i: number }).i)).size).toBe(50);
    const report = await verifyAudit(store, { publicKeys: [signer.publicKey], pageSize: 7 });
    expect(report).toEqual({ ok: true, entries: 50, lastSeq: 50, checkpoints: 1, problems: [] });
    expect(await writeCheckpoint(store, signer)).toBeUndefined();
  });

  it('detects an edited entry', async () => {
    await store.query(`UPDATE audit_log SET data = jsonb_set(data, '{i}', '999') WHERE seq = 17`);
    expect(await problemsOf()).toEqual([['edited', 17]]);
  });

  it('detects an edited entry whose hash was recomputed, by the broken link after it', async () => {
    const rewrite = async (seq: number) => {
      const [original] = await listAudit(store, { after: seq - 1, limit: 1 });
      const forged = { ...original!, data: { ...original!.data, i: -1 } };
      await store.query('UPDATE audit_log SET data = $2::jsonb, hash = $3 WHERE seq = $1', [
        seq,
        JSON.stringify(forged.data),
        hashAuditEntry(forged),
      ]);
    };
    await rewrite(12);
    await rewrite(50);
    expect(await problemsOf()).toEqual([
      ['broken_chain', 13],
      ['truncated', 50],
    ]);
  });

  it('detects a deleted entry', async () => {
    await store.query('DELETE FROM audit_log WHERE seq = 23');
    expect(await problemsOf()).toEqual([['deleted', 23]]);
  });

  it('detects two entries that swapped places', async () => {
    await store.query('UPDATE audit_log SET seq = -10 WHERE seq = 10');
    await store.query('UPDATE audit_log SET seq = 10 WHERE seq = 30');
    await store.query('UPDATE audit_log SET seq = 30 WHERE seq = -10');
    const report = await verifyAudit(store, { pageSize: 7 });
    expect(report.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['reordered', 10],
      ['reordered', 30],
    ]);
    expect(report.problems[0]?.message).toMatch(/written as seq 30/);
  });

  it('detects a cut-off tail behind a signed checkpoint', async () => {
    await store.query('DELETE FROM audit_log WHERE seq > 45');
    const report = await verifyAudit(store);
    expect(report).toMatchObject({ ok: false, entries: 45, lastSeq: 45, checkpoints: 1 });
    expect(report.problems.map((p) => [p.kind, p.seq])).toEqual([['truncated', 50]]);
  });

  it('detects a tail that was cut off and written again', async () => {
    await store.query('DELETE FROM audit_log WHERE seq > 45');
    for (let i = 0; i < 5; i++) await appendAudit(store, entry(100 + i));
    expect(await problemsOf()).toEqual([['truncated', 50]]);
  });

  it('detects a corrupted checkpoint signature and one signed by an untrusted key', async () => {
    await store.query(`UPDATE audit_checkpoints SET signature = $1 WHERE seq = 50`, [
      Buffer.alloc(64, 7).toString('base64'),
    ]);
    expect(await problemsOf()).toEqual([['bad_signature', 50]]);

    await store.query('TRUNCATE audit_checkpoints');
    const forger = loadAuditSigner(tempHome(), {});
    await appendAudit(store, entry(51));
    await writeCheckpoint(store, forger);
    expect(await problemsOf()).toEqual([]);
    expect(await problemsOf([signer.publicKey])).toEqual([['bad_signature', 51]]);
    expect(await problemsOf([forger.publicKey, signer.publicKey])).toEqual([]);
  });

  it('never stores secrets given in data', async () => {
    const ourKey = `aos_${'Ab9_-'.repeat(8)}xyz`;
    expect(ourKey).toHaveLength(47);
    await appendAudit(store, {
      workspaceId: 'ws_test',
      actor: { type: 'system', id: 'agentos' },
      action: 'api.POST /api/keys',
      resource: { type: 'keys', id: null },
      data: {
        apiKey: 'sk-live-123',
        note: ourKey,
        headers: { Authorization: 'Bearer x', 'x-request': `see ${ourKey} and sk-proj-abcdef123456` },
        db: { password: 'hunter2', rows: 3 },
      },
    });
    const { rows } = await store.query<{ data: string }>(
      'SELECT data::text AS data FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const stored = rows[0]?.data ?? '';
    for (const secret of ['sk-live-123', ourKey, 'sk-proj-abcdef123456', 'hunter2', 'Bearer x'])
      expect(stored).not.toContain(secret);
    expect(JSON.parse(stored)).toEqual({
      apiKey: '[redacted]',
      note: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-request': 'see [redacted] and [redacted]' },
      db: { password: '[redacted]', rows: 3 },
    });
    expect((await verifyAudit(store)).ok).toBe(true);
  });

  it('checkpoints every N entries while running and covers the rest on stop', async () => {
    await store.query('TRUNCATE audit_log, audit_checkpoints');
    const checkpointer = new AuditCheckpointer(store, signer, { everyEntries: 5, everyMs: 60_000 });
    checkpointer.start();
    for (let i = 0; i < 7; i++) await appendAudit(store, entry(i));
    const covered = await eventually(
      async () => {
        const seqs = (await store.query<{ seq: number }>('SELECT seq FROM audit_checkpoints')).rows.map(
          (r) => r.seq,
        );
        expect(seqs.length).toBeGreaterThan(0);
        return seqs;
      },
      { timeoutMs: 5_000 },
    );
    expect(covered).toHaveLength(1);
    expect(covered[0]).toBeGreaterThanOrEqual(5);
    await appendAudit(store, entry(8));
    await checkpointer.stop();
    const { rows } = await store.query<{ seq: number }>('SELECT seq FROM audit_checkpoints ORDER BY seq');
    expect(rows.map((r) => r.seq)).toEqual([covered[0], 8]);
    expect(await verifyAudit(store, { publicKeys: [signer.publicKey] })).toMatchObject({
      ok: true,
      entries: 8,
    });
  });
});
