import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerification } from '../../src/plugins/audit/verify-audit.ts';
import { CLI_PATH, runCli, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';

const errorOf = (stderr: string) =>
  (JSON.parse(stderr) as { error: { code: string; message: string } }).error;

/** The pid of a process that has exited: what a server killed without cleaning up leaves in its record. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  return new Promise((resolve) => child.on('close', () => resolve(child.pid ?? 0)));
}

describe('admin commands beside a running serve on the embedded store', () => {
  let cwd: string;
  let home: string;
  let server: ServedForTest;
  let model: ScriptedModelServer;
  const env = () => ({ AGENTOS_COMPATIBLE_NAME: 'scripted', AGENTOS_COMPATIBLE_BASE_URL: model.url });

  beforeAll(async () => {
    model = await startScriptedModelServer();
    cwd = tempHome();
    home = join(cwd, '.agentos');
    server = await startServeForTest(cwd, env());
    const created = await fetch(`${server.url}/api/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'helper', description: 'Helps', model: 'scripted:test-model' }),
    });
    expect(created.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await model.close();
  });

  it('records where it listens beside the lock of the data directory', () => {
    const record = JSON.parse(readFileSync(join(home, 'pgdata', 'server.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(record).toEqual({ pid: server.child.pid, url: server.url, startedAt: expect.any(String) });
    expect(readFileSync(join(home, 'pgdata', 'agentos.lock'), 'utf8')).toBe(String(server.child.pid));
  });

  it('audit verify goes through the server, with the admin key it finds', async () => {
    const result = await runCli(['audit', 'verify', '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as AuditVerification;
    expect(report).toMatchObject({ ok: true, problems: [] });
    // The agent created above is in the log the server verified.
    expect(report.entries).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('audit verify says it needs an admin key when none is given, and refuses flags only a local verify has', async () => {
    renameSync(join(home, 'admin-api-key'), join(home, 'admin-api-key.moved'));
    try {
      const keyless = await runCli(['audit', 'verify', '--json'], { cwd, env: { AGENTOS_API_KEY: '' } });
      expect(keyless.code).toBe(1);
      expect(errorOf(keyless.stderr)).toEqual({
        code: 'auth.missing',
        message: expect.stringMatching(/needs an admin API key: pass --api-key, set AGENTOS_API_KEY/),
      });
      const given = await runCli(['audit', 'verify', '--json', '--api-key', server.apiKey], { cwd });
      expect(given.code).toBe(0);
      expect((JSON.parse(given.stdout) as AuditVerification).ok).toBe(true);
      const wrong = await runCli(['audit', 'verify', '--json', '--api-key', 'aos_nope'], { cwd });
      expect(wrong.code).toBe(1);
      expect(errorOf(wrong.stderr).code).toBe('auth.invalid');
    } finally {
      renameSync(join(home, 'admin-api-key.moved'), join(home, 'admin-api-key'));
    }
    const pinned = await runCli(['audit', 'verify', '--json', '--no-anchor'], { cwd });
    expect(pinned.code).toBe(2);
    expect(errorOf(pinned.stderr)).toMatchObject({
      code: 'request.invalid',
      message: expect.stringMatching(/own key/),
    });
  }, 180_000);

  it('migrate refuses, saying why and what to do; migrate --status asks the server', async () => {
    const refused = await runCli(['migrate', '--json'], { cwd });
    expect(refused.code).toBe(1);
    const error = errorOf(refused.stderr);
    expect(error.code).toBe('store.unreachable');
    expect(error.message).toContain(`(pid ${server.child.pid}, ${server.url}) holds it`);
    expect(error.message).toMatch(/stop it and run "agentos migrate"/);
    const status = await runCli(['migrate', '--status', '--json'], { cwd });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ store: 'pglite', pending: [], newlyApplied: [] });
    const keys = await runCli(['keys', 'list', '--json'], { cwd });
    expect(keys.code).toBe(1);
    expect(errorOf(keys.stderr).message).toMatch(/stop serve first, or do it through the API at http/);
  }, 180_000);

  it('agentos mcp bridges stdio to the server: its agents are tools, and a call runs on it', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_PATH, 'mcp'],
      cwd,
      env: { DATABASE_URL: '', ...env() },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'bridge-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['agent_helper', 'search_memory']);
      model.enqueue({ text: 'Hello through the bridge' });
      const result = await client.callTool({ name: 'agent_helper', arguments: { task: 'Say hello' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Hello through the bridge' }]);
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(new RegExp(`bridged to ${server.url}/mcp \\(workspace "default"\\)`));

    const scoped = await runCli(['mcp', '--workspace', 'default'], { cwd });
    expect(scoped.code).toBe(2);
    expect(scoped.stderr).toMatch(/^error \[request.invalid\]: .*drop --workspace and --user/);
  }, 180_000);
});

describe('a server record left behind', () => {
  it('is ignored once its process is gone: commands open the store themselves', async () => {
    const cwd = tempHome();
    const home = join(cwd, '.agentos');
    const server = await startServeForTest(cwd);
    const dataDir = join(home, 'pgdata');
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited, server.output()).toBe(0);
    // A clean stop removes the record with the lock.
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);

    // What a killed server leaves: its lock and its record, naming a pid that no longer runs.
    const pid = await deadPid();
    writeFileSync(join(dataDir, 'agentos.lock'), String(pid));
    writeFileSync(
      join(dataDir, 'server.json'),
      JSON.stringify({ pid, url: 'http://127.0.0.1:9', startedAt: new Date().toISOString() }),
    );
    const doctor = await runCli(['doctor', '--json'], { cwd });
    const report = JSON.parse(doctor.stdout) as {
      server?: unknown;
      checks: { name: string; detail: string }[];
    };
    expect(report.server).toBeUndefined();
    expect(report.checks.find((check) => check.name === 'store')?.detail).toBe(
      `reachable: pglite ${dataDir}`,
    );
    const verified = await runCli(['audit', 'verify', '--json'], { cwd });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect((JSON.parse(verified.stdout) as AuditVerification).ok).toBe(true);
  }, 180_000);
});
