import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/core/store/pglite-store.ts';
import type { AuditVerification } from '../../src/plugins/audit/verify-audit.ts';
import { runCli, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

async function tamper(cwd: string, sql: string): Promise<void> {
  const store = await PgliteStore.open(join(cwd, '.agentos', 'pgdata'));
  try {
    await store.query(sql);
  } finally {
    await store.close();
  }
}

describe('agentos audit on the embedded store', () => {
  it('verifies the log a server left, and names what was tampered with', async () => {
    const cwd = tempHome();
    const server = await startServeForTest(cwd);
    const { apiKey, url } = server;
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/api/users', { email: 'dan@example.com', name: 'Dan' });
    expect(created.status).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };
    expect((await post('/api/keys', { name: 'dan', userId: user.id })).status).toBe(201);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(statSync(join(cwd, '.agentos', 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);

    const verified = await runCli(['audit', 'verify', '--json'], { cwd });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual({
      ok: true,
      entries: 2,
      lastSeq: 2,
      checkpoints: 1,
      problems: [],
      // The server anchored its checkpoint in its home; verify finds that anchor by itself.
      anchor: { file: join(cwd, '.agentos', 'audit-anchors.log'), checkpoints: 1, lastSeq: 2 },
    });

    const out = join(cwd, 'audit.jsonl');
    const exported = await runCli(['audit', 'export', '--out', out, '--json'], { cwd });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ exported: 2, out });
    const actions = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).toEqual(['api.POST /api/users', 'api.POST /api/keys']);

    await tamper(cwd, `UPDATE audit_log SET data = '{"status":200}' WHERE seq = 1`);
    const edited = await runCli(['audit', 'verify', '--json'], { cwd });
    expect(edited.code).toBe(1);
    const report = JSON.parse(edited.stdout) as AuditVerification;
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ kind: 'edited', seq: 1, message: expect.stringMatching(/Entry 1/) }]);

    await tamper(cwd, 'DELETE FROM audit_log WHERE seq = 2');
    const truncated = await runCli(['audit', 'verify'], { cwd });
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/TAMPERED/);
    expect(truncated.stdout).toMatch(/edited\s+1/);
    expect(truncated.stdout).toMatch(/truncated\s+2/);
  }, 90_000);
});
