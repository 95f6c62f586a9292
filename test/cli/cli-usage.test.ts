import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

describe('agentos CLI arguments', () => {
  it('exits 2 with a usage message for an unknown command', async () => {
    const result = await runCli(['frobnicate'], { cwd: tempHome() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('exits 2 for an unknown option and for a missing required option', async () => {
    const cwd = tempHome();
    const unknown = await runCli(['doctor', '--frob'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--frob'/);
    const missing = await runCli(['keys', 'create'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--name <name>'/);
    expect(existsSync(join(cwd, '.agentos'))).toBe(false);
  });

  it('exits 2 for an invalid role and writes nothing', async () => {
    const cwd = tempHome();
    const result = await runCli(['users', 'add', 'a@b.co', '--role', 'emperor', '--json'], { cwd });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'usage' } });
    expect(existsSync(join(cwd, '.agentos'))).toBe(false);
  });

  it('stops with config.invalid naming the key, before touching the store', async () => {
    const cwd = tempHome();
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ port: 'high' }));
    const result = await runCli(['doctor', '--json'], { cwd });
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('config.invalid');
    expect(body.error.message).toMatch(/port/);
    expect(existsSync(join(cwd, '.agentos'))).toBe(false);
  });
});

describe('agentos serve on the embedded store', () => {
  it('creates a workspace and key on first start and reuses them on the next', async () => {
    const cwd = tempHome();
    const env = { PORT: '0' };
    const first = await startCli(['serve', '--json'], { cwd, env, until: /"event":"listening"/ });
    const lines = first
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    const firstStart = lines.find((line) => line.event === 'first_start');
    const listening = lines.find((line) => line.event === 'listening');
    expect(firstStart?.apiKey).toMatch(/^aos_/);
    const keyFile = join(cwd, '.agentos', 'admin-api-key');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(firstStart?.apiKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const health = await fetch(`${listening?.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', store: 'pglite' });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startCli(['serve', '--json'], { cwd, env, until: /"event":"listening"/ });
    expect(second.output()).not.toMatch(/first_start/);
    const url = (JSON.parse(second.output().trim().split('\n').at(-1)!) as { url: string }).url;
    const whoami = await fetch(`${url}/api/whoami`, {
      headers: { authorization: `Bearer ${firstStart?.apiKey}` },
    });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ role: 'admin', workspace: { name: 'default' } });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const keys = await runCli(['keys', 'list', '--json'], { cwd });
    expect(keys.code).toBe(0);
    expect((JSON.parse(keys.stdout) as { keys: unknown[] }).keys).toHaveLength(1);
  }, 60_000);
});
