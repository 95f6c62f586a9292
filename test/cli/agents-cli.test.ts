import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientFrom } from '../../src/surfaces/cli/api-client.ts';
import { readRunEvents, type StreamEvent } from '../../src/surfaces/cli/event-stream.ts';
import { runCli, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome, testConfig } from '../support/test-config.ts';

interface AgentJson {
  id: string;
  name: string;
  version: number;
  definition: {
    description: string;
    model: string;
    tools: string[];
    instructions: string;
    limits: { maxSteps: number };
  };
  deletedAt: string | null;
}

describe('agentos agents through a running server', () => {
  let cwd: string;
  let url: string;
  let server: ServedForTest;
  const agentos = (args: readonly string[]) => runCli([...args, '--url', url], { cwd });
  const parsed = <T>(result: { code: number | null; stdout: string; stderr: string }): T => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    cwd = tempHome();
    // An OpenAI key so its catalogue models pass the check at save; its endpoint is a closed loopback port.
    server = await startServeForTest(cwd, {
      OPENAI_API_KEY: 'sk-test-not-a-real-key',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_API_KEY: '',
    });
    url = server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 30_000);

  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('creates, lists, shows, updates, lists versions and deletes', async () => {
    const created = parsed<{ agent: AgentJson }>(
      await agentos([
        'agents',
        'create',
        '--name',
        'writer',
        '--description',
        'Writes things',
        '--model',
        'openai:gpt-4o-mini',
        '--tool',
        'http_fetch',
        '--tool',
        'recall',
        '--max-steps',
        '12',
        '--json',
      ]),
    ).agent;
    expect(created).toMatchObject({
      name: 'writer',
      version: 1,
      definition: { tools: ['http_fetch', 'recall'], limits: { maxSteps: 12 } },
    });

    const file = join(cwd, 'reviewer.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'reviewer', description: 'Reviews', model: 'openai:gpt-4.1-mini' }),
    );
    const fromFile = parsed<{ agent: AgentJson }>(
      await agentos(['agents', 'create', '--file', file, '--instructions', 'Be kind', '--json']),
    ).agent;
    expect(fromFile.definition).toMatchObject({
      model: 'openai:gpt-4.1-mini',
      instructions: 'Be kind',
    });

    const list = parsed<{ agents: AgentJson[] }>(await agentos(['agents', 'list', '--json']));
    expect(list.agents.map((a) => a.name)).toEqual(['reviewer', 'writer']);
    const human = await agentos(['agents', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^name\s+version\s+model/);
    expect(human.stdout).toContain('writer');

    const updated = parsed<{ agent: AgentJson }>(
      await agentos(['agents', 'update', 'writer', '--model', 'openai:gpt-4o', '--max-steps', '3', '--json']),
    ).agent;
    expect(updated).toMatchObject({
      id: created.id,
      version: 2,
      definition: { model: 'openai:gpt-4o', limits: { maxSteps: 3 } },
    });
    expect(updated.definition.tools).toEqual(['http_fetch', 'recall']);

    const latest = parsed<{ agent: AgentJson }>(await agentos(['agents', 'show', 'writer', '--json'])).agent;
    expect(latest.version).toBe(2);
    const first = parsed<{ agent: AgentJson }>(
      await agentos(['agents', 'show', 'writer', '--agent-version', '1', '--json']),
    ).agent;
    expect(first.definition.model).toBe('openai:gpt-4o-mini');
    const shown = await agentos(['agents', 'show', 'writer']);
    expect(shown.stdout).toContain('writer (version 2');
    expect(shown.stdout).toContain('openai:gpt-4o');

    const versions = parsed<{ versions: AgentJson[] }>(
      await agentos(['agents', 'versions', 'writer', '--json']),
    );
    expect(versions.versions.map((v) => v.version)).toEqual([1, 2]);

    const deleted = parsed<{ agent: AgentJson }>(
      await agentos(['agents', 'delete', 'writer', '--json']),
    ).agent;
    expect(deleted.deletedAt).toEqual(expect.any(String));
    const gone = await agentos(['agents', 'show', 'writer', '--json']);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { code: 'resource.not_found' } });
  }, 60_000);

  it('exits 2 for bad numbers, missing fields and definitions the server rejects', async () => {
    const base = [
      'agents',
      'create',
      '--name',
      'bad',
      '--description',
      'Bad',
      '--model',
      'openai:gpt-4o-mini',
    ];
    const steps = await agentos([...base, '--max-steps', 'abc', '--json']);
    expect(steps.code).toBe(2);
    expect(JSON.parse(steps.stderr)).toMatchObject({
      error: { code: 'usage', message: expect.stringMatching(/--max-steps/) },
    });
    const version = await agentos(['agents', 'show', 'reviewer', '--agent-version', '0']);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/--agent-version/);
    const missing = await agentos(['agents', 'create', '--name', 'bad']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--description, --model/);
    const nothing = await agentos(['agents', 'update', 'reviewer']);
    expect(nothing.code).toBe(2);
    const model = await agentos([
      'agents',
      'create',
      '--name',
      'bad',
      '--description',
      'Bad',
      '--model',
      'nocolon',
      '--json',
    ]);
    expect(model.code).toBe(2);
    expect(JSON.parse(model.stderr)).toMatchObject({ error: { code: 'request.invalid' } });
    const list = parsed<{ agents: AgentJson[] }>(await agentos(['agents', 'list', '--json']));
    expect(list.agents.map((a) => a.name)).not.toContain('bad');
  }, 60_000);

  it('prints the code of a model or tool the server cannot serve, and saves nothing', async () => {
    const create = (model: string, ...more: string[]) =>
      agentos(['agents', 'create', '--name', 'picky', '--description', 'Picky', '--model', model, ...more]);
    // Exit 1, as for every refusal but a malformed request (exit 2 is for usage mistakes).
    const unknown = await create('nosuch:model-x', '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({
      error: { code: 'model.unknown_provider', message: expect.stringContaining('"nosuch"') },
    });
    const human = await create('nosuch:model-x');
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('model.unknown_provider');
    expect(human.stderr).toContain('configured providers: openai');
    const keyless = await create('anthropic:claude-sonnet-4-5', '--json');
    expect(JSON.parse(keyless.stderr)).toMatchObject({ error: { code: 'model.provider_not_configured' } });
    const notInCatalogue = await create('openai:gpt-9-imaginary', '--json');
    expect(JSON.parse(notInCatalogue.stderr)).toMatchObject({ error: { code: 'model.unknown_model' } });
    const tool = await create('openai:gpt-4o-mini', '--tool', 'no_such_tool', '--json');
    expect(tool.code).toBe(1);
    expect(JSON.parse(tool.stderr)).toMatchObject({
      error: { code: 'tool.not_registered', message: expect.stringContaining('no_such_tool') },
    });
    const list = parsed<{ agents: AgentJson[] }>(await agentos(['agents', 'list', '--json']));
    expect(list.agents.map((a) => a.name)).not.toContain('picky');
  }, 60_000);

  it('exits 1 with a clear message when the server cannot be reached', async () => {
    const result = await runCli(['agents', 'list', '--url', 'http://127.0.0.1:9'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Cannot reach Agent OS at http:\/\/127\.0\.0\.1:9: .+\(is `agentos serve` running\?\)/,
    );
    const json = await runCli(['agents', 'list', '--json', '--url', 'http://127.0.0.1:9'], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'internal' } });
    // Port 9 is refused by fetch itself ("bad port"); a closed ordinary port shows the refused connection.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const refused = await runCli(['agents', 'list', '--url', `http://127.0.0.1:${port}`], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Cannot reach Agent OS at http://127.0.0.1:${port}: connect ECONNREFUSED`,
    );
  }, 30_000);

  it('reports a rejected key from the server', async () => {
    const result = await runCli(['agents', 'list', '--url', url, '--api-key', 'aos_wrong', '--json'], {
      cwd,
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'auth.invalid' } });
  }, 30_000);
});

describe('readRunEvents', () => {
  it('parses id, event and multi-line data across chunk boundaries, skipping comments', async () => {
    const server = createServer((request, response) => {
      expect(request.headers.authorization).toBe('Bearer aos_test');
      expect(request.url).toBe('/api/runs/x/events?after=7');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunks = [
        ': hello\n\nid: 1\nevent: step\nda',
        'ta: {"n":1}\n\r\n',
        'id: 2\r\ndata: line one\r',
        '\ndata: line two\n\n',
        'data:x',
      ];
      for (const chunk of chunks) response.write(chunk);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = apiClientFrom({ url: `http://127.0.0.1:${port}`, apiKey: 'aos_test' }, testConfig());
      const events: StreamEvent[] = [];
      await readRunEvents(client, 'x', '7', (event) => events.push(event));
      expect(events).toEqual([
        { id: '1', event: 'step', data: '{"n":1}' },
        { id: '2', data: 'line one\nline two' },
        { data: 'x' },
      ]);
    } finally {
      server.close();
    }
  });
});
