import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelsEndpoint, refusedUrl, startModelsEndpoint } from '../support/models-endpoint.ts';
import { runCli, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from '../support/test-stores.ts';

interface DoctorReport {
  healthy: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  server?: { pid: number; url: string };
}

const check = (report: DoctorReport, name: string) => report.checks.find((c) => c.name === name);

let live: ScriptedModelServer;
let hosted: ModelsEndpoint;
let deadUrl: string;

/** A home whose config names a live, a dead and a key-rejecting provider, plus openai and anthropic on loopback. */
function homeWithProviders(): string {
  const cwd = tempHome();
  const config = {
    providers: {
      openai: { apiKey: 'sk-good', baseURL: hosted.url },
      anthropic: { apiKey: 'sk-ant-wrong', baseURL: hosted.url },
      compatible: [
        { name: 'live', baseURL: live.url },
        { name: 'dead', baseURL: deadUrl },
      ],
    },
  };
  writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify(config));
  return cwd;
}

function expectProviderChecks(report: DoctorReport): void {
  expect(check(report, 'provider live')).toEqual({
    name: 'provider live',
    ok: true,
    detail: `GET ${live.url}/models: 1 model`,
  });
  expect(check(report, 'provider dead')).toEqual({
    name: 'provider dead',
    ok: false,
    detail: expect.stringMatching(/ECONNREFUSED/),
  });
  expect(check(report, 'provider dead')?.detail).toContain(`GET ${deadUrl}/models`);
  expect(check(report, 'provider openai')).toMatchObject({
    ok: true,
    detail: `GET ${hosted.url}/models: 2 models`,
  });
  expect(check(report, 'provider anthropic')).toEqual({
    name: 'provider anthropic',
    ok: false,
    detail: `GET ${hosted.url}/models: HTTP 401 (the API key was rejected)`,
  });
  // Each provider was asked with its own key, the way its API takes it.
  expect(hosted.requests.map((headers) => headers.authorization ?? headers['x-api-key'])).toEqual(
    expect.arrayContaining(['Bearer sk-good', 'sk-ant-wrong']),
  );
  expect(hosted.requests.find((headers) => headers['x-api-key'])?.['anthropic-version']).toBe('2023-06-01');
}

beforeAll(async () => {
  // One model listed, so the probe's count is this test's own.
  live = await startScriptedModelServer({ models: ['scripted-1'] });
  hosted = await startModelsEndpoint(
    (headers) => headers.authorization === 'Bearer sk-good' || headers['x-api-key'] === 'sk-ant-good',
  );
  deadUrl = await refusedUrl();
});
afterAll(async () => {
  await live.close();
  await hosted.close();
});

describe('agentos doctor beside a running serve on the embedded store', () => {
  let cwd: string;
  let server: ServedForTest;
  beforeAll(async () => {
    cwd = homeWithProviders();
    server = await startServeForTest(cwd);
  }, 180_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('reports the store through the server and fails on the dead and the rejected provider', async () => {
    const result = await runCli(['doctor', '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.healthy).toBe(false);
    expect(report.server).toEqual({ pid: server.child.pid, url: server.url, startedAt: expect.any(String) });
    expect(check(report, 'store')).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`at ${server.url}`),
    });
    expect(check(report, 'migrations')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^current/),
    });
    expectProviderChecks(report);

    const human = await runCli(['doctor'], { cwd });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^ok {3}provider live/m);
    expect(human.stdout).toMatch(/^FAIL provider dead .*ECONNREFUSED/m);
  }, 180_000);

  it('opens a store no server holds itself, and exits 0 when every check passes', async () => {
    const healthy = tempHome();
    const config = { providers: { compatible: [{ name: 'live', baseURL: live.url }] } };
    writeFileSync(join(healthy, 'agentos.config.json'), JSON.stringify(config));
    expect((await runCli(['migrate'], { cwd: healthy })).code).toBe(0);
    const result = await runCli(['doctor', '--json'], { cwd: healthy });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.healthy).toBe(true);
    expect(report.server).toBeUndefined();
    expect(check(report, 'store')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^reachable: pglite/),
    });
  }, 180_000);
});

describe.skipIf(testDatabaseUrl === undefined)('agentos doctor on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(testDatabaseUrl ?? '');
  });
  afterAll(async () => database.drop());

  it('probes every provider and reports the schema it finds', async () => {
    const cwd = homeWithProviders();
    const unmigrated = await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: database.url } });
    expect(unmigrated.code).toBe(1);
    const before = JSON.parse(unmigrated.stdout) as DoctorReport;
    expect(check(before, 'store')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^reachable: postgres/),
    });
    expect(check(before, 'migrations')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^pending: 1, 2/),
    });
    expectProviderChecks(before);

    expect((await runCli(['migrate'], { cwd, env: { DATABASE_URL: database.url } })).code).toBe(0);
    const after = JSON.parse(
      (await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: database.url } })).stdout,
    ) as DoctorReport;
    expect(check(after, 'migrations')).toMatchObject({ ok: true });
  }, 180_000);
});
