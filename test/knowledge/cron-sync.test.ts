import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store/sql-client.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { KnowledgeSource } from '../../src/plugins/knowledge/source-record.ts';
import { nextSyncAt } from '../../src/plugins/knowledge/source-schedule.ts';
import { dueSources, syncDueSources } from '../../src/plugins/knowledge/source-sync.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { storeTargets } from '../support/test-stores.ts';

type SourceJson = Omit<KnowledgeSource, 'nextSyncAt'> & { nextSyncAt: string | null };
interface ErrorJson {
  error: { code: string; message: string; details?: { issues: Array<{ path: string }> } };
}

const paris = { cron: '0 9 * * *', timezone: 'Europe/Paris' };

describe('the next sync of a cron schedule', () => {
  it('is the first firing after the given time, read in the time zone (daylight saving included)', () => {
    // Winter: Paris is UTC+1.
    expect(nextSyncAt(paris, new Date('2026-01-15T12:00:00Z')).toISOString()).toBe(
      '2026-01-16T08:00:00.000Z',
    );
    // Clocks go forward on 29 March 2026: 09:00 that morning is already UTC+2.
    expect(nextSyncAt(paris, new Date('2026-03-28T12:00:00Z')).toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(nextSyncAt(paris, new Date('2026-03-29T06:59:00Z')).toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
  });
});

// The API only (no worker): the test runs the periodic sync itself, so nothing else picks a due source.
describe.each(storeTargets())('cron-scheduled sources on $kind', (target) => {
  let store: Store;
  let h: KernelHarness;
  let dir: string;

  const sourceRow = async (name: string) =>
    (
      await store.query<{
        schedule_minutes: number | null;
        schedule_cron: string | null;
        next_sync_at: Date | null;
      }>(
        'SELECT schedule_minutes, schedule_cron, next_sync_at FROM knowledge_sources WHERE name = $1 AND deleted_at IS NULL',
        [name],
      )
    ).rows[0];
  const sourceCount = async () =>
    (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM knowledge_sources')).rows[0]!.n;
  const folderSource = (name: string, schedule: Record<string, unknown>) => ({
    name,
    kind: 'folder',
    config: { path: dir, maxFileBytes: 1_000 },
    ...schedule,
  });

  beforeAll(async () => {
    store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: 'http://127.0.0.1:9',
      tools: new ToolRegistry(),
      roles: ['api'],
    });
    dir = await mkdtemp(join(tmpdir(), 'agentos-cron-sync-'));
    await writeFile(join(dir, 'faq.md'), '# FAQ\nThe cafeteria opens at eight.');
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a bad cron expression, a bad time zone or two schedules at once, naming the field, and stores nothing', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ schedule: { cron: 'every morning' } }, 'schedule.cron', /Invalid cron schedule/],
      [
        { schedule: { cron: '0 9 * * *', timezone: 'Mars/Olympus' } },
        'schedule.timezone',
        /Unknown time zone/,
      ],
      [{ schedule: paris, scheduleMinutes: 60 }, 'schedule', /not both/],
    ];
    for (const [schedule, field, message] of cases) {
      const created = await h.api<ErrorJson>('POST', '/api/sources', folderSource('bad', schedule));
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('request.invalid');
      expect(created.body.error.message).toContain(`${field}:`);
      expect(created.body.error.message).toMatch(message);
      expect(created.body.error.details?.issues.map((issue) => issue.path)).toEqual([field]);
    }
    expect(await sourceCount()).toBe(0);

    expect((await h.api('POST', '/api/sources', folderSource('plain', { scheduleMinutes: 30 }))).status).toBe(
      201,
    );
    for (const [schedule, field] of cases) {
      const patched = await h.api<ErrorJson>('PATCH', '/api/sources/plain', schedule);
      expect(patched.status).toBe(400);
      expect(patched.body.error.message).toContain(`${field}:`);
    }
    expect(await sourceRow('plain')).toEqual({
      schedule_minutes: 30,
      schedule_cron: null,
      next_sync_at: null,
    });
    expect((await h.api('DELETE', '/api/sources/plain')).status).toBe(200);
  });

  it('stores a cron schedule with its next firing, shows it, and switches between cron and interval', async () => {
    const before = new Date();
    const created = await h.api<{ source: SourceJson }>(
      'POST',
      '/api/sources',
      folderSource('daily', { schedule: paris }),
    );
    expect(created.status).toBe(201);
    expect(created.body.source).toMatchObject({ schedule: paris, scheduleMinutes: null });
    const expected = nextSyncAt(paris, before).toISOString();
    expect(created.body.source.nextSyncAt).toBe(expected);
    expect((await sourceRow('daily'))?.next_sync_at?.toISOString()).toBe(expected);

    // Without a zone the expression is read in UTC; an unchanged schedule keeps its pending firing.
    const utc = await h.api<{ source: SourceJson }>('PATCH', '/api/sources/daily', {
      schedule: { cron: '30 6 * * 1' },
    });
    expect(utc.body.source.schedule).toEqual({ cron: '30 6 * * 1', timezone: 'UTC' });
    const monday = new Date(utc.body.source.nextSyncAt!);
    expect([monday.getUTCDay(), monday.getUTCHours(), monday.getUTCMinutes()]).toEqual([1, 6, 30]);
    const renamed = await h.api<{ source: SourceJson }>('PATCH', '/api/sources/daily', { name: 'weekly' });
    expect(renamed.body.source.nextSyncAt).toBe(utc.body.source.nextSyncAt);

    const interval = await h.api<{ source: SourceJson }>('PATCH', '/api/sources/weekly', {
      scheduleMinutes: 15,
    });
    expect(interval.body.source).toMatchObject({ scheduleMinutes: 15, schedule: null, nextSyncAt: null });
    const back = await h.api<{ source: SourceJson }>('PATCH', '/api/sources/weekly', { schedule: paris });
    expect(back.body.source).toMatchObject({ scheduleMinutes: null, schedule: paris });
    const cleared = await h.api<{ source: SourceJson }>('PATCH', '/api/sources/weekly', { schedule: null });
    expect(cleared.body.source).toMatchObject({ scheduleMinutes: null, schedule: null, nextSyncAt: null });
    expect((await h.api('DELETE', '/api/sources/weekly')).status).toBe(200);

    // The database refuses both kinds at once even past the API.
    await expect(
      store.query(
        "UPDATE knowledge_sources SET schedule_minutes = 5, schedule_cron = '* * * * *', schedule_timezone = 'UTC'",
      ),
    ).rejects.toThrow(/knowledge_sources_one_schedule/);
  });

  it('syncs a cron source once its firing has passed (missed firings collapse into one) and advances it', async () => {
    await h.api('POST', '/api/sources', folderSource('morning', { schedule: paris }));
    await h.api('POST', '/api/sources', folderSource('hourly', { scheduleMinutes: 60 }));
    const deps = { store, version: 'test', home: dir };

    // The interval source, never synced, is due at once; the cron source waits for 09:00 in Paris.
    expect((await dueSources(store, 10)).map((s) => s.name)).toEqual(['hourly']);
    expect((await syncDueSources(deps)).map((r) => r.status)).toEqual(['ok']);
    expect(await dueSources(store, 10)).toEqual([]);

    // Three days of firings missed (the server was down): one sync, then the next firing after now.
    await store.query(
      "UPDATE knowledge_sources SET next_sync_at = now() - interval '3 days' WHERE name = 'morning'",
    );
    expect((await dueSources(store, 10)).map((s) => s.name)).toEqual(['morning']);
    const beforeSync = new Date();
    const results = await syncDueSources(deps);
    expect(results.map((r) => [r.status, r.counts.added])).toEqual([['ok', 1]]);
    const advanced = (await sourceRow('morning'))?.next_sync_at;
    expect(advanced!.getTime()).toBeGreaterThan(Date.now());
    expect(advanced?.toISOString()).toBe(nextSyncAt(paris, beforeSync).toISOString());
    expect(await dueSources(store, 10)).toEqual([]);

    // A failed sync advances the schedule too, so a broken source is not retried on every tick.
    await store.query(
      `UPDATE knowledge_sources SET config = '{"path": "relative/path"}'::jsonb, next_sync_at = now() - interval '1 minute'
       WHERE name = 'morning'`,
    );
    const failed = await syncDueSources(deps);
    expect(failed.map((r) => [r.status, r.error?.code])).toEqual([['failed', 'request.invalid']]);
    expect((await sourceRow('morning'))?.next_sync_at?.getTime()).toBeGreaterThan(Date.now());

    // The interval source still follows its interval.
    await store.query(
      "UPDATE knowledge_sources SET last_sync_at = now() - interval '61 minutes' WHERE name = 'hourly'",
    );
    expect((await dueSources(store, 10)).map((s) => s.name)).toEqual(['hourly']);
  });
});
