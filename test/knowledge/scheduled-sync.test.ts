import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { createSource } from '../../src/plugins/knowledge/source-repo.ts';
import { dueSources, syncDueSources } from '../../src/plugins/knowledge/source-sync.ts';
import { storeTargets } from '../support/test-stores.ts';

describe.each(storeTargets())('scheduled re-sync on $kind', (target) => {
  let store: Store;
  let dir: string;
  const deps = () => ({ store, version: 'test', home: dir });

  beforeAll(async () => {
    store = await target.open();
    dir = await mkdtemp(join(tmpdir(), 'agentos-scheduled-'));
    await writeFile(join(dir, 'faq.md'), '# FAQ\nThe cafeteria opens at eight.');
    const workspace = await createWorkspace(store, `sched-${target.kind}`);
    const base = { workspaceId: workspace.id, spaceId: null, kind: 'folder', createdBy: null };
    await createSource(store, {
      ...base,
      name: 'hourly',
      config: { path: dir, maxFileBytes: 1_000 },
      scheduleMinutes: 60,
    });
    await createSource(store, {
      ...base,
      name: 'manual',
      config: { path: dir, maxFileBytes: 1_000 },
      scheduleMinutes: null,
    });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs a scheduled source when it is due, then not again until its interval has passed', async () => {
    const first = await syncDueSources(deps());
    expect(first.map((r) => [r.status, r.counts.added])).toEqual([['ok', 1]]);
    expect(await dueSources(store, 10)).toEqual([]);

    await store.query(
      "UPDATE knowledge_sources SET last_sync_at = now() - interval '61 minutes' WHERE name = 'hourly'",
    );
    expect((await dueSources(store, 10)).map((s) => s.name)).toEqual(['hourly']);
    // A sync running elsewhere (fresh heartbeat) is left alone; a dead one (stale heartbeat) is taken over.
    await store.query(
      "UPDATE knowledge_sources SET status = 'syncing', sync_heartbeat_at = now() WHERE name = 'hourly'",
    );
    expect(await dueSources(store, 10)).toEqual([]);
    await store.query(
      "UPDATE knowledge_sources SET sync_heartbeat_at = now() - interval '10 minutes' WHERE name = 'hourly'",
    );
    const again = await syncDueSources(deps());
    expect(again.map((r) => [r.status, r.counts.unchanged])).toEqual([['ok', 1]]);

    const { rows } = await store.query<{ name: string; last_sync_at: Date | null }>(
      'SELECT name, last_sync_at FROM knowledge_sources ORDER BY name',
    );
    expect(rows.find((r) => r.name === 'manual')?.last_sync_at).toBeNull();
    const { rows: audit } = await store.query<{ actor: { type: string; id: string } }>(
      "SELECT actor FROM audit_log WHERE action = 'knowledge.sync' ORDER BY seq",
    );
    expect(audit.map((a) => a.actor)).toEqual([
      { type: 'system', id: 'knowledge-scheduler' },
      { type: 'system', id: 'knowledge-scheduler' },
    ]);
  });

  it('records a config its kind rejects as a failed sync instead of leaving the source syncing', async () => {
    const workspaceId = (await store.query<{ id: string }>('SELECT id FROM workspaces LIMIT 1')).rows[0]!.id;
    const broken = await createSource(store, {
      workspaceId,
      spaceId: null,
      name: 'broken',
      kind: 'folder',
      config: { path: 'relative/path' },
      scheduleMinutes: 5,
      createdBy: null,
    });
    const [result] = await syncDueSources(deps());
    expect(result).toMatchObject({
      sourceId: broken.id,
      status: 'failed',
      error: { code: 'request.invalid' },
    });
    const { rows } = await store.query<{ status: string }>(
      'SELECT status FROM knowledge_sources WHERE id = $1',
      [broken.id],
    );
    expect(rows[0]?.status).toBe('failed');
  });
});
