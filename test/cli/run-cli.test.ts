import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';

describe('agentos run and runs against a live server', () => {
  let model: ScriptedModelServer;
  let cwd: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let stopServer: () => Promise<unknown>;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    cwd = tempHome();
    env = { PORT: '0', AGENTOS_COMPATIBLE_NAME: 'scripted', AGENTOS_COMPATIBLE_BASE_URL: model.url };
    const server = await startCli(['serve', '--json'], { cwd, env, until: /"event":"listening"/ });
    url = (JSON.parse(server.output().trim().split('\n').at(-1)!) as { url: string }).url;
    stopServer = async () => {
      server.child.kill('SIGTERM');
      return server.exited;
    };
    const created = await runCli(
      [
        'agents',
        'create',
        '--name',
        'greeter',
        '--description',
        'Greets',
        '--model',
        'scripted:test-model',
        '--url',
        url,
        '--json',
      ],
      { cwd, env },
    );
    expect(created.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await stopServer();
    await model.close();
  });

  it('streams the answer of a run to stdout and exits 0', async () => {
    model.enqueue({ text: 'Hello from the scripted model', chunkDelayMs: 10 });
    const result = await runCli(['run', 'greeter', 'Say hello', '--url', url], { cwd, env });
    expect(result.stderr).toMatch(/^run run_/);
    expect(result.stdout.trim()).toBe('Hello from the scripted model');
    expect(result.code).toBe(0);
  });

  it('prints events and the final run as JSON lines with --json', async () => {
    model.enqueue({ text: 'json answer' });
    const result = await runCli(['run', 'greeter', 'Answer', '--url', url, '--json'], { cwd, env });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.event === 'run.finished')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ run: { status: 'succeeded', output: { text: 'json answer' } } });
  });

  it("exits 1 when the run fails, printing the run's own error code, and lists and shows runs", async () => {
    model.enqueue({ kind: 'error', status: 400, message: 'bad request from provider' });
    const failed = await runCli(['run', 'greeter', 'Fail', '--url', url], { cwd, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^error \[model\.provider_error\]: run run_\S+ ended failed: Model provider call failed \(client, HTTP 400\)/m,
    );
    expect(failed.stderr).not.toContain('[internal]');

    model.enqueue({ kind: 'error', status: 400, message: 'bad request from provider' });
    const failedJson = await runCli(['run', 'greeter', 'Fail', '--url', url, '--json'], { cwd, env });
    expect(failedJson.code).toBe(1);
    const final = (
      JSON.parse(failedJson.stdout.trim().split('\n').at(-1)!) as {
        run: { id: string; status: string; error: { code: string; message: string } };
      }
    ).run;
    expect(final.status).toBe('failed');
    expect(JSON.parse(failedJson.stderr)).toMatchObject({
      error: { code: final.error.code, message: `run ${final.id} ended failed: ${final.error.message}` },
    });
    expect(final.error.code).toBe('model.provider_error');

    const list = await runCli(['runs', 'list', '--url', url, '--json'], { cwd, env });
    const runs = (JSON.parse(list.stdout) as { runs: Array<{ id: string; status: string }> }).runs;
    expect(runs.map((r) => r.status).sort()).toEqual(['failed', 'failed', 'succeeded', 'succeeded']);
    const show = await runCli(['runs', 'show', runs[0]!.id, '--url', url], { cwd, env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/model\s+scripted:test-model\s+completed|model/);
  });

  it("names each run's agent and version in runs list and runs show; --json keeps the ids", async () => {
    const listed = await runCli(['runs', 'list', '--url', url, '--json'], { cwd, env });
    const runs = (JSON.parse(listed.stdout) as { runs: Array<{ id: string; agentId: string }> }).runs;
    const agentId = runs[0]!.agentId;
    expect(agentId).toMatch(/^agt_/);

    const list = await runCli(['runs', 'list', '--url', url], { cwd, env });
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^id\s+status\s+agent\s/);
    expect(rows).toHaveLength(runs.length);
    for (const row of rows) expect(row).toMatch(/^run_\S+\s+\S+\s+greeter v1\s/);
    expect(list.stdout).not.toContain(agentId);

    const show = await runCli(['runs', 'show', runs[0]!.id, '--url', url], { cwd, env });
    expect(show.stdout).toMatch(/^agent: greeter v1$/m);
    expect(show.stdout).not.toContain(agentId);
  });

  it('shows the scheduler state with agentos top', async () => {
    const top = await runCli(['top', '--json', '--url', url], { cwd, env });
    expect(top.code).toBe(0);
    const view = JSON.parse(top.stdout) as {
      runs: Record<string, number>;
      members: Array<{ lanes: Array<{ lane: string }> }>;
    };
    expect(view.runs).toMatchObject({ queued: 0, running: 0 });
    expect(view.members).toHaveLength(1);
    const once = await runCli(['top', '--once', '--url', url], { cwd, env });
    expect(once.stdout).toMatch(/Agent OS scheduler/);
  });

  it('rejects bad arguments with exit code 2', async () => {
    expect(
      (await runCli(['run', 'greeter', 'x', '--priority', 'urgent', '--url', url], { cwd, env })).code,
    ).toBe(2);
    expect((await runCli(['runs', 'list', '--limit', '0', '--url', url], { cwd, env })).code).toBe(2);
    expect(
      (await runCli(['runs', 'resume', 'run_x', '--decision', 'maybe', '--url', url], { cwd, env })).code,
    ).toBe(2);
    const missing = await runCli(['runs', 'show', 'run_nope', '--url', url, '--json'], { cwd, env });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'run.not_found' } });
  });
});
