import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalStep } from '../../src/core/kernel/run-journal.ts';
import { httpFetchTool } from '../../src/core/tools/builtin/http-fetch.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { McpServerRecord } from '../../src/plugins/mcp/mcp-server-repo.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { unspotlight } from '../support/spotlight.ts';
import { storeTargets } from '../support/test-stores.ts';
import {
  CHANGING_SERVER,
  EVERYTHING_SERVER,
  FILESYSTEM_SERVER,
  type LoopbackSite,
  type McpHarness,
  startLoopbackSite,
  startMcpHarness,
  waitFor,
} from './mcp-harness.ts';

type ServerWithConnection = McpServerRecord & { connection: { state: string; pid: number | null } };
interface ListedTool {
  name: string;
  qualifiedName: string;
  stakes: string;
  effect: string;
}

describe.each(storeTargets())('MCP servers as tools on $kind', (target) => {
  let model: ScriptedModelServer;
  let site: LoopbackSite;
  let h: McpHarness;
  const files = mkdtempSync(join(tmpdir(), 'agentos-mcp-fs-'));
  writeFileSync(join(files, 'note.txt'), 'the launch code is banana');

  const toolMessages = (request: number) =>
    (model.requests[request]?.body.messages ?? [])
      .filter((m) => m.role === 'tool')
      .map((m) => unspotlight(String(m.content)));
  const steps = async (runId: string) =>
    (await h.api<{ steps: JournalStep[] }>('GET', `/api/runs/${runId}/steps`)).body.steps;
  const serverNamed = async (name: string) =>
    (await h.api<{ servers: ServerWithConnection[] }>('GET', '/api/mcp/servers')).body.servers.find(
      (s) => s.name === name,
    );
  const toolsOf = async (name: string) =>
    (await h.api<{ tools: ListedTool[] }>('GET', `/api/mcp/servers/${name}/tools`)).body.tools;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    site = await startLoopbackSite();
    const tools = new ToolRegistry([httpFetchTool({ allowHosts: { '*': [site.host] } })]);
    h = await startMcpHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    const register = async (body: Record<string, unknown>) => {
      const response = await h.api<{ server: McpServerRecord }>('POST', '/api/mcp/servers', body);
      expect(response.status).toBe(201);
      return response.body.server;
    };
    await register({ name: 'everything', transport: 'stdio', command: 'node', args: [EVERYTHING_SERVER] });
    await register({ name: 'files', transport: 'stdio', command: 'node', args: [FILESYSTEM_SERVER, files] });
    await register({
      name: 'changing',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', 'tsx', CHANGING_SERVER],
    });
    await h.createAgent({
      name: 'worker',
      tools: [
        'everything__echo',
        'everything__trigger-long-running-operation',
        'http_fetch',
        'files__read_text_file',
      ],
      limits: { maxSteps: 5, maxInvalidToolCalls: 3 },
    });
    await h.createAgent({
      name: 'impatient',
      tools: ['everything__trigger-long-running-operation'],
      limits: { toolTimeoutMs: 500 },
    });
    await h.createAgent({ name: 'changer', tools: ['changing__add_tool', 'changing__late_tool'] });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
    await site.close();
  });
  beforeEach(() => {
    model.requests.length = 0;
  });

  it('registers servers, lists their tools and lets an admin set stakes and effect', async () => {
    const conflict = await h.api('POST', '/api/mcp/servers', {
      name: 'files',
      transport: 'stdio',
      command: 'x',
    });
    expect(conflict.status).toBe(409);
    const invalid = await h.api('POST', '/api/mcp/servers', {
      name: 'Bad.Name',
      transport: 'stdio',
      command: 'x',
    });
    expect(invalid.status).toBe(400);
    // Its tools are <server>__<tool>: a name ending in "_" or holding "__" would split in the wrong place.
    for (const name of ['bank_', 'my__bank']) {
      const ambiguous = await h.api<{ error: { code: string; message: string } }>(
        'POST',
        '/api/mcp/servers',
        {
          name,
          transport: 'stdio',
          command: 'x',
        },
      );
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.error.code).toBe('request.invalid');
      expect(ambiguous.body.error.message).toMatch(/"__"|"_"/);
    }

    const tools = await toolsOf('everything');
    const echo = tools.find((t) => t.name === 'echo');
    expect(echo).toMatchObject({ qualifiedName: 'everything__echo', stakes: 'medium', effect: 'write' });
    expect((await toolsOf('files')).map((t) => t.name)).toContain('read_text_file');

    const patched = await h.api('PATCH', '/api/mcp/servers/everything/tools/echo', {
      stakes: 'low',
      effect: 'read',
    });
    expect(patched.status).toBe(200);
    expect((await toolsOf('everything')).find((t) => t.name === 'echo')).toMatchObject({
      stakes: 'low',
      effect: 'read',
    });
    expect((await h.api('PATCH', '/api/mcp/servers/everything/tools/echo', {})).status).toBe(400);
  });

  it('runs an MCP tool and a built-in tool in parallel in one turn and feeds both results back', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'everything__echo', arguments: { message: 'ping' } },
          { name: 'http_fetch', arguments: { url: `${site.url}/hello` } },
        ],
      },
      { text: 'both done' },
    );
    const run = await h.runTask('worker', 'Echo and fetch');
    expect(run).toMatchObject({ status: 'succeeded', output: { text: 'both done' } });
    const sentTools = model.requests[0]?.body.tools?.map((t) => t.function.name);
    // The model sees the very name the agent is granted and the journal records (no mapping).
    expect(sentTools).toEqual(expect.arrayContaining(['everything__echo', 'http_fetch']));
    const echoSchema = model.requests[0]?.body.tools?.find((t) => t.function.name === 'everything__echo');
    expect(echoSchema?.function.parameters).toMatchObject({ required: ['message'] });
    const [echo, fetched] = toolMessages(1);
    expect(echo).toContain('Echo: ping');
    expect(JSON.parse(fetched ?? '{}')).toMatchObject({
      untrusted: true,
      status: 200,
      body: 'hello from loopback',
    });
    const journal = await steps(run.id);
    expect(journal.filter((s) => s.kind === 'tool').map((s) => s.status)).toEqual(['completed', 'completed']);
  });

  it('reads a file through the filesystem server', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'files__read_text_file', arguments: { path: join(files, 'note.txt') } }],
      },
      { text: 'read it' },
    );
    const run = await h.runTask('worker', 'Read the note');
    expect(run.status).toBe('succeeded');
    expect(toolMessages(1)[0]).toContain('the launch code is banana');
  });

  it('returns bad arguments and unknown MCP tools to the model as error results', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'everything__echo', arguments: { message: 42 } },
          { name: 'everything__get-env', arguments: {} },
          { name: 'http_fetch', arguments: { url: 'http://not-allowed.invalid/' } },
        ],
      },
      { text: 'noted' },
    );
    const run = await h.runTask('worker', 'Misuse tools');
    expect(run.status).toBe('succeeded');
    const [badArgs, ungranted, blocked] = toolMessages(1);
    expect(badArgs).toMatch(/do not match its schema/);
    expect(ungranted).toMatch(/There is no tool "everything__get-env"/);
    expect(blocked).toMatch(/not on this workspace's egress allowlist/);
  });

  it('gives a clear error when the server process dies mid-call, then reconnects on the next call', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'everything__trigger-long-running-operation', arguments: { duration: 20, steps: 20 } },
        ],
      },
      { kind: 'tool_calls', toolCalls: [{ name: 'everything__echo', arguments: { message: 'back' } }] },
      { text: 'recovered' },
    );
    const started = await h.api<{ run: { id: string } }>('POST', '/api/runs', {
      agent: 'worker',
      task: 'Crash',
    });
    const runId = started.body.run.id;
    await waitFor(
      async () => ((await steps(runId)).some((s) => s.kind === 'tool') ? true : undefined),
      'the call',
    );
    const pid = (await serverNamed('everything'))?.connection.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid ?? 0, 'SIGKILL');
    const run = await waitFor(async () => {
      const current = await h.api<{ run: { status: string } }>('GET', `/api/runs/${runId}`);
      return current.body.run.status === 'succeeded' ? current.body.run : undefined;
    }, 'the run to finish');
    expect(run.status).toBe('succeeded');
    expect(toolMessages(1)[0]).toMatch(
      /MCP server "everything" closed the connection .*next call reconnects/,
    );
    expect(toolMessages(2).at(-1)).toContain('Echo: back');
    const respawned = (await serverNamed('everything'))?.connection;
    expect(respawned).toMatchObject({ state: 'connected' });
    expect(respawned?.pid).not.toBe(pid);

    // A server that died while idle is simply started again by the next call.
    process.kill(respawned?.pid ?? 0, 'SIGKILL');
    await waitFor(
      async () => ((await serverNamed('everything'))?.connection.pid === null ? true : undefined),
      'exit',
    );
    model.requests.length = 0;
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'everything__echo', arguments: { message: 'again' } }] },
      { text: 'fine' },
    );
    expect((await h.runTask('worker', 'Echo again')).status).toBe('succeeded');
    expect(toolMessages(1)[0]).toContain('Echo: again');
  });

  it('times out a slow MCP tool with a clear error result', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'everything__trigger-long-running-operation', arguments: { duration: 5, steps: 5 } },
        ],
      },
      { text: 'gave up' },
    );
    const run = await h.runTask('impatient', 'Be slow');
    expect(run.status).toBe('succeeded');
    expect(toolMessages(1)[0]).toMatch(/timed out after 500 ms/);
  });

  it('follows notifications/tools/list_changed', async () => {
    expect((await toolsOf('changing')).map((t) => t.name)).toEqual(['add_tool']);
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'changing__add_tool', arguments: { name: 'late_tool' } }] },
      { text: 'added' },
      { kind: 'tool_calls', toolCalls: [{ name: 'changing__late_tool', arguments: {} }] },
      { text: 'ran it' },
    );
    expect((await h.runTask('changer', 'Add a tool')).status).toBe('succeeded');
    expect((await toolsOf('changing')).map((t) => t.name).sort()).toEqual(['add_tool', 'late_tool']);
    expect((await h.runTask('changer', 'Use the new tool')).status).toBe('succeeded');
    expect(toolMessages(3)[0]).toBe('late_tool ran');
  });

  it('deletes a server: its process stops and its tools are gone', async () => {
    const pid = (await serverNamed('changing'))?.connection.pid;
    expect(pid).toBeGreaterThan(0);
    expect((await h.api('DELETE', '/api/mcp/servers/changing')).status).toBe(200);
    expect(await serverNamed('changing')).toBeUndefined();
    await waitFor(async () => {
      try {
        process.kill(pid ?? 0, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 'the server process to exit');
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'changing__add_tool', arguments: { name: 'x' } }] },
      { text: 'gone' },
    );
    expect((await h.runTask('changer', 'Try again')).status).toBe('succeeded');
    expect(toolMessages(1)[0]).toMatch(/There is no tool "changing__add_tool"/);
    expect((await h.api('DELETE', '/api/mcp/servers/changing')).status).toBe(404);
  });
});
