import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/core/store/pglite-store.ts';
import { PostgresStore } from '../../src/core/store/postgres-store.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { AuditVerification } from '../../src/plugins/audit/verify-audit.ts';
import { runCli, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from '../support/test-stores.ts';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

/** Where `agentos` keeps its data: the embedded store in the home, or a fresh PostgreSQL database. */
async function storeFor(
  kind: 'pglite' | 'postgres',
  cwd: string,
): Promise<{ env: NodeJS.ProcessEnv; open: () => Promise<Store> }> {
  if (kind === 'pglite') return { env: {}, open: () => PgliteStore.open(join(cwd, '.agentos', 'pgdata')) };
  const database = await createTestDatabase(testDatabaseUrl!);
  databases.push(database);
  return { env: { DATABASE_URL: database.url }, open: () => PostgresStore.open(database.url) };
}

const kinds = testDatabaseUrl === undefined ? (['pglite'] as const) : (['pglite', 'postgres'] as const);

describe.each(kinds)('agentos audit verify --anchor on %s', (kind) => {
  it('fails when both audit tables were emptied, and names the lost checkpoint', async () => {
    const cwd = tempHome();
    const anchorFile = join(cwd, 'outside-the-database', 'anchors.log');
    const target = await storeFor(kind, cwd);
    const env = { ...target.env, AGENTOS_AUDIT_ANCHOR_FILE: anchorFile };

    const server = await startServeForTest(cwd, env);
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/api/users', { email: 'erin@example.com', name: 'Erin' })).status).toBe(201);
    expect((await post('/api/users', { email: 'finn@example.com', name: 'Finn' })).status).toBe(201);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const anchored = readFileSync(anchorFile, 'utf8').trim().split('\n');
    expect(anchored).toHaveLength(1);
    expect(server.output()).toContain(`audit checkpoint ${anchored[0]}`);

    const intact = await runCli(['audit', 'verify', '--json'], { cwd, env });
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({
      ok: true,
      lastSeq: 2,
      anchor: { file: anchorFile, checkpoints: 1, lastSeq: 2 },
    });

    const store = await target.open();
    try {
      await store.query('DELETE FROM audit_log');
      await store.query('DELETE FROM audit_checkpoints');
    } finally {
      await store.close();
    }

    const emptied = await runCli(['audit', 'verify', '--json'], { cwd, env });
    expect(emptied.code).toBe(1);
    const report = JSON.parse(emptied.stdout) as AuditVerification;
    expect(report).toMatchObject({ ok: false, entries: 0, lastSeq: 0, checkpoints: 0 });
    expect(report.problems).toEqual([
      {
        kind: 'anchor_missing',
        seq: 2,
        message: expect.stringMatching(
          /anchor records checkpoint seq 2, the last at .*, but the log ends at 0/,
        ),
      },
    ]);
    const human = await runCli(['audit', 'verify'], { cwd, env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/TAMPERED/);
    expect(human.stdout).toMatch(/anchor_missing\s+2/);

    // Without an anchor the database alone looks intact: the reason the anchor exists.
    const unanchored = await runCli(['audit', 'verify', '--no-anchor', '--json'], { cwd, env });
    expect(unanchored.code).toBe(0);
    expect(JSON.parse(unanchored.stdout)).toEqual({
      ok: true,
      entries: 0,
      lastSeq: 0,
      checkpoints: 0,
      problems: [],
    });

    const copy = join(tempHome(), 'anchors-copy.log');
    copyFileSync(anchorFile, copy);
    const explicit = await runCli(['audit', 'verify', '--anchor', copy, '--json'], { cwd, env: target.env });
    expect(explicit.code).toBe(1);
    expect(JSON.parse(explicit.stdout)).toMatchObject({ ok: false, anchor: { file: copy, lastSeq: 2 } });

    const missing = await runCli(['audit', 'verify', '--anchor', join(cwd, 'nope.log')], { cwd, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--anchor .*nope\.log: no such file/);
  }, 180_000);
});
