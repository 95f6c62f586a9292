import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { writeKnowledgeFolder } from './knowledge-fixtures.ts';

describe('agentos sources and knowledge search through a running server', () => {
  let cwd: string;
  let folder: string;
  let server: ServedForTest;
  const { agentos, json } = cliAgainst(
    () => server,
    () => cwd,
  );

  beforeAll(async () => {
    cwd = tempHome();
    folder = await writeKnowledgeFolder(cwd, cwd);
    server = await startServeForTest(cwd);
  }, 120_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  // Every CLI call is a fresh Node process: slow on a busy machine.
  it('adds a folder, syncs it, lists documents with errors, searches with citations and removes it', {
    timeout: 300_000,
  }, async () => {
    const added = await json<{ source: { name: string; kind: string; config: { path: string } } }>([
      'sources',
      'add',
      'handbook',
      '--path',
      folder,
      '--every',
      '60',
    ]);
    expect(added.source).toMatchObject({ name: 'handbook', kind: 'folder', config: { path: folder } });

    const synced = await json<{ source: { status: string; lastCounts: Record<string, number> } }>([
      'sources',
      'sync',
      'handbook',
    ]);
    expect(synced.source).toMatchObject({ status: 'ok', lastCounts: { added: 6, failed: 1 } });

    const failed = await json<{ documents: Array<{ ref: string; error: { code: string } }> }>([
      'sources',
      'documents',
      'handbook',
      '--failed',
    ]);
    expect(failed.documents.map((d) => [d.ref, d.error.code])).toEqual([
      ['reports/broken.pdf', 'parse.pdf_invalid'],
    ]);

    const shown = await agentos(['sources', 'show', 'handbook']);
    expect(shown.stdout).toContain('schedule: every 60 min');
    expect(shown.stdout).toContain('+6 ~0 =0 -0 !1');

    const cron = await json<{ source: { schedule: unknown; scheduleMinutes: unknown; nextSyncAt: string } }>([
      'sources',
      'update',
      'handbook',
      '--cron',
      '0 9 * * *',
      '--timezone',
      'Europe/Paris',
    ]);
    expect(cron.source).toMatchObject({
      schedule: { cron: '0 9 * * *', timezone: 'Europe/Paris' },
      scheduleMinutes: null,
    });
    const showCron = await agentos(['sources', 'show', 'handbook']);
    expect(showCron.stdout).toContain(
      `schedule: cron "0 9 * * *" (Europe/Paris), next sync ${cron.source.nextSyncAt}`,
    );

    const text = await agentos(['knowledge', 'search', 'economy class flights']);
    expect(text.stdout).toMatch(/^\[K\d+\] handbook · Travel Policy › Travel Policy/);
    expect(text.stdout).toContain(join(folder, 'memo.docx'));

    await json(['sources', 'rm', 'handbook']);
    const missing = await agentos(['sources', 'show', 'handbook', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('resource.not_found');
  });

  it('exits 2 for usage mistakes', { timeout: 300_000 }, async () => {
    const neither = await agentos(['sources', 'add', 'x']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/exactly one of --path/);
    const badEvery = await agentos(['sources', 'add', 'x', '--path', folder, '--every', 'soon']);
    expect(badEvery.code).toBe(2);
    const both = await agentos([
      'sources',
      'add',
      'x',
      '--path',
      folder,
      '--every',
      '5',
      '--cron',
      '* * * * *',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--every or --cron/);
    const badZone = await agentos([
      'sources',
      'add',
      'x',
      '--path',
      folder,
      '--cron',
      '0 9 * * *',
      '--timezone',
      'Mars/Base',
    ]);
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toMatch(/schedule\.timezone/);
    const invalid = await agentos(['sources', 'add', 'Bad Name', '--path', folder]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/request\.invalid/);
  });
});
