import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/core/audit-log/audit-log.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { type AnchorRecord, readAnchor } from '../../src/plugins/audit/audit-anchor.ts';
import { AuditCheckpointer } from '../../src/plugins/audit/audit-checkpointer.ts';
import { type AuditSigner, loadAuditSigner } from '../../src/plugins/audit/audit-signer.ts';
import { verifyAudit } from '../../src/plugins/audit/verify-audit.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const entry = (i: number) => ({
  workspaceId: 'ws_test',
  actor: { type: 'user' as const, id: 'usr_1' },
  action: 'api.POST /api/keys',
  resource: { type: 'keys', id: `key_${i}` },
  data: { i },
});

describe.each(storeTargets())('the audit anchor on $kind', (target) => {
  let store: Store;
  let signer: AuditSigner;
  let anchorFile: string;
  let logged: string[];

  /** Appends `count` entries and has a checkpointer sign (and anchor) a checkpoint of the newest one. */
  async function writeAndCheckpoint(from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) await appendAudit(store, entry(i));
    const checkpointer = new AuditCheckpointer(store, signer, {
      anchorFile,
      log: (message) => logged.push(message),
    });
    await checkpointer.stop();
  }

  const verifyWithAnchor = async () => verifyAudit(store, { anchor: await readAnchor(anchorFile) });
  const kindsOf = (report: { problems: { kind: string; seq: number }[] }) =>
    report.problems.map((p) => [p.kind, p.seq]);

  beforeAll(async () => {
    store = await target.open();
    signer = loadAuditSigner(tempHome(), {});
  });
  afterAll(async () => store.close());
  beforeEach(async () => {
    await store.query('TRUNCATE audit_log, audit_checkpoints');
    anchorFile = join(tempHome(), 'anchors', 'audit-anchors.log');
    logged = [];
    await writeAndCheckpoint(1, 10);
    await writeAndCheckpoint(11, 10);
  });

  it('appends one signed JSON line per checkpoint, 0600, and prints it to the log', async () => {
    expect(statSync(anchorFile).mode & 0o777).toBe(0o600);
    const lines = readFileSync(anchorFile, 'utf8').trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as AnchorRecord);
    const { rows } = await store.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log WHERE seq IN (10, 20) ORDER BY seq',
    );
    expect(records.map((r) => [r.seq, r.hash])).toEqual(rows.map((r) => [Number(r.seq), r.hash]));
    expect(records[0]).toEqual({
      v: 1,
      seq: 10,
      hash: rows[0]?.hash,
      signature: expect.any(String),
      publicKey: expect.any(String),
      at: expect.any(String),
    });
    expect(logged).toEqual(lines.map((line) => `audit checkpoint ${line}`));
    const report = await verifyWithAnchor();
    expect(report).toEqual({
      ok: true,
      entries: 20,
      lastSeq: 20,
      checkpoints: 2,
      problems: [],
      anchor: { file: anchorFile, checkpoints: 2, lastSeq: 20 },
    });
  });

  it('fails when the newest entries were deleted together with their checkpoints', async () => {
    await store.query('DELETE FROM audit_log WHERE seq > 14');
    await store.query('DELETE FROM audit_checkpoints WHERE seq > 14');
    // The database alone cannot tell: that is the gap the anchor closes.
    expect((await verifyAudit(store)).ok).toBe(true);
    const report = await verifyWithAnchor();
    expect(report.ok).toBe(false);
    expect(kindsOf(report)).toEqual([['anchor_missing', 20]]);
    expect(report.problems[0]?.message).toMatch(/anchor records checkpoint seq 20.*log ends at 14/);
  });

  it('fails when both tables were emptied, naming every lost checkpoint', async () => {
    await store.query('DELETE FROM audit_log');
    await store.query('DELETE FROM audit_checkpoints');
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 0 });
    const report = await verifyWithAnchor();
    expect(report).toMatchObject({ ok: false, entries: 0, lastSeq: 0 });
    expect(kindsOf(report)).toEqual([['anchor_missing', 20]]);
    expect(report.problems[0]?.message).toMatch(/2 checkpoints \(seq 10\.\.20\).*log ends at 0/);
  });

  it('fails when the log was emptied and written again past the anchor', async () => {
    await store.query('TRUNCATE audit_log, audit_checkpoints');
    await writeAndCheckpoint(100, 25);
    expect((await verifyAudit(store)).ok).toBe(true);
    const report = await verifyWithAnchor();
    expect(kindsOf(report)).toEqual([
      ['anchor_diverged', 10],
      ['anchor_diverged', 20],
    ]);
    expect(report.problems[0]?.message).toMatch(/Entry 10 differs from the checkpoint anchored at/);
  });

  it('fails when a checkpoint row alone was removed', async () => {
    await store.query('DELETE FROM audit_checkpoints WHERE seq = 10');
    expect((await verifyAudit(store)).ok).toBe(true);
    expect(kindsOf(await verifyWithAnchor())).toEqual([['anchor_checkpoint_removed', 10]]);
  });

  it('fails on an anchored entry deleted from the middle', async () => {
    await store.query('DELETE FROM audit_log WHERE seq = 10');
    expect(kindsOf(await verifyWithAnchor())).toEqual([
      ['deleted', 10],
      ['anchor_missing', 10],
    ]);
  });

  it('reports a forged or garbled anchor line, and skips a last line cut short by a crash', async () => {
    const records = readFileSync(anchorFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AnchorRecord);
    const forged = { ...records[1]!, hash: 'f'.repeat(64) };
    appendFileSync(anchorFile, `${JSON.stringify(forged)}\nnot json\n{"v":1,"seq":`);
    const report = await verifyWithAnchor();
    expect(report.problems.map((p) => [p.kind, p.message])).toEqual([
      [
        'anchor_invalid',
        `${anchorFile}: Line 3 of the anchor has a signature that does not verify for seq 20`,
      ],
      ['anchor_invalid', `${anchorFile}: Line 4 of the anchor is not JSON`],
    ]);
    writeFileSync(anchorFile, `${records.map((r) => JSON.stringify(r)).join('\n')}\n{"v":1,"seq":`);
    expect(await verifyWithAnchor()).toMatchObject({ ok: true, anchor: { checkpoints: 2 } });
  });
});
