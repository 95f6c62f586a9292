import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import { ensureFirstStart } from '../../src/core/identity/first-start.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { openStore } from '../../src/core/store/open-store.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { CLI_PATH } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { createTestDatabase, storeTargets, testDatabaseUrl } from '../support/test-stores.ts';
import { type McpHarness, startMcpHarness } from './mcp-harness.ts';

const textOf = (result: Awaited<ReturnType<Client['callTool']>>): string =>
  'content' in result && Array.isArray(result.content)
    ? result.content.map((part: { type: string; text?: string }) => part.text ?? '').join('')
    : '';

describe.each(storeTargets())('Agent OS as an MCP server over HTTP on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: McpHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startMcpHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry(),
    });
    await h.createAgent({ name: 'helper', description: 'Answers questions politely' });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  const connect = async (key: string) => {
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    return client;
  };

  it('lists every agent as agent_<name>, runs it and answers with the run', async () => {
    const client = await connect(h.key);
    const { tools } = await client.listTools();
    const helper = tools.find((t) => t.name === 'agent_helper');
    expect(helper).toMatchObject({ description: 'Answers questions politely' });
    expect(helper?.inputSchema).toMatchObject({ required: ['task'] });
    expect(tools.map((t) => t.name)).toContain('search_memory');

    model.enqueue({ text: 'The answer is 42' });
    const result = await client.callTool({
      name: 'agent_helper',
      arguments: { task: 'What is the answer?' },
    });
    expect(textOf(result)).toBe('The answer is 42');
    expect(result.isError).toBeFalsy();
    const { runId } = result.structuredContent as { runId: string };
    const recorded = await h.api<{ run: RunRecord }>('GET', `/api/runs/${runId}`);
    expect(recorded.body.run).toMatchObject({ status: 'succeeded', input: { task: 'What is the answer?' } });

    model.enqueue({ kind: 'error', status: 400, message: 'bad request' });
    const failed = await client.callTool({ name: 'agent_helper', arguments: { task: 'Fail please' } });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toMatch(/failed/);

    const memory = await client.callTool({ name: 'search_memory', arguments: { query: 'anything' } });
    expect(textOf(memory)).toBe('No memories found.');
    await client.close();
  });

  it('is reachable as an http MCP server with a header credential, even from its own agents', async () => {
    const registered = await h.api('POST', '/api/mcp/servers', {
      name: 'self',
      transport: 'http',
      url: `${h.url}/mcp`,
      headers: { Authorization: `Bearer ${h.key}` },
    });
    expect(registered.status).toBe(201);
    expect(registered.text).not.toContain(h.key);
    const tools = await h.api<{ tools: Array<{ qualifiedName: string }> }>(
      'GET',
      '/api/mcp/servers/self/tools',
    );
    expect(tools.body.tools.map((t) => t.qualifiedName)).toContain('self__agent_helper');

    await h.createAgent({ name: 'delegator', tools: ['self__agent_helper'] });
    model.requests.length = 0;
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'self__agent_helper', arguments: { task: 'Inner task' } }] },
      { text: 'inner answer' },
      { text: 'outer answer' },
    );
    const run = await h.runTask('delegator', 'Delegate');
    expect(run).toMatchObject({ status: 'succeeded', output: { text: 'outer answer' } });
    const toolMessage = model.requests[2]?.body.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('inner answer');
  });

  it('refuses a request without a valid key with 401', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(`${h.url}/mcp`, { method: 'POST', headers, body })).status).toBe(401);
    const wrong = await fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer aos_not-a-key' },
      body,
    });
    expect(wrong.status).toBe(401);
    await expect(connect('aos_not-a-key')).rejects.toThrow(/401|not valid/);
  });
});

describe('agentos mcp (stdio)', () => {
  let model: ScriptedModelServer;
  const home = mkdtempSync(join(tmpdir(), 'agentos-mcp-stdio-'));
  let databaseUrl = '';
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    if (testDatabaseUrl !== undefined) {
      const database = await createTestDatabase(testDatabaseUrl);
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    const store = await openStore({ databaseUrl, home });
    const first = await ensureFirstStart(store, home);
    if (!first.created) throw new Error('expected a fresh store');
    await createAgent(store, {
      workspaceId: first.workspaceId,
      definition: agentDefinitionSchema.parse({
        name: 'stdio-helper',
        description: 'Helps over stdio',
        model: 'scripted:test-model',
      }),
    });
    await store.close();
  }, 60_000);
  afterAll(async () => {
    await model.close();
    await dropDatabase?.();
  });

  it('serves the agents of the store to an MCP client over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_PATH, 'mcp'],
      cwd: home,
      env: {
        AGENTOS_HOME: home,
        DATABASE_URL: databaseUrl,
        AGENTOS_COMPATIBLE_NAME: 'scripted',
        AGENTOS_COMPATIBLE_BASE_URL: model.url,
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['agent_stdio-helper', 'search_memory']),
      );
      model.enqueue({ text: 'Hello over stdio' });
      const result = await client.callTool({ name: 'agent_stdio-helper', arguments: { task: 'Say hello' } });
      expect(textOf(result)).toBe('Hello over stdio');
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(/Agent OS MCP server on stdio/);
  }, 60_000);
});
