import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { addMember } from '../support/members.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { type McpHarness, startMcpHarness } from './mcp-harness.ts';

type ToolResult = Awaited<ReturnType<Client['callTool']>>;

const textOf = (result: ToolResult): string =>
  'content' in result && Array.isArray(result.content)
    ? result.content.map((part: { type: string; text?: string }) => part.text ?? '').join('')
    : '';
const partsText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { text?: string }) => part.text ?? '').join('')
      : '';
const prompt = (request: RecordedRequest) =>
  request.body.messages.map((m) => [m.role, partsText(m.content)] as const);

interface Answer {
  conversationId: string;
  runId: string;
  status: string;
  answer: string | null;
  replies: Array<{ agent: string; runId: string; status: string; content: string }>;
}

describe.each(storeTargets())('MCP agent tools in conversations on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: McpHarness;
  let eveKey: string;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startMcpHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry(),
    });
    await h.createAgent({ name: 'helper', description: 'Answers questions', instructions: 'You help.' });
    eveKey = (
      await addMember(h.agentOs.store, h.workspaceId, { email: 'eve@example.com', name: 'Eve', role: 'user' })
    ).key;
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

  it('starts a conversation on a first call and continues it with the conversationId returned', async () => {
    const client = await connect(h.key);
    const { tools } = await client.listTools();
    const helper = tools.find((tool) => tool.name === 'agent_helper');
    expect(Object.keys(helper?.inputSchema.properties ?? {})).toEqual(['task', 'conversationId']);

    model.enqueue({ text: 'Nice to meet you, Ada.' });
    const first = await client.callTool({ name: 'agent_helper', arguments: { task: 'My name is Ada' } });
    expect(first.isError).toBeFalsy();
    expect(textOf(first)).toBe('Nice to meet you, Ada.');
    const started = first.structuredContent as unknown as Answer;
    expect(started).toMatchObject({ status: 'succeeded', answer: 'Nice to meet you, Ada.' });
    expect(started.conversationId).toMatch(/^cnv_/);

    model.enqueue({ text: 'Your name is Ada.' });
    const before = model.requests.length;
    const second = await client.callTool({
      name: 'agent_helper',
      arguments: { task: 'What is my name?', conversationId: started.conversationId },
    });
    expect(textOf(second)).toBe('Your name is Ada.');
    const continued = second.structuredContent as unknown as Answer;
    expect(continued.conversationId).toBe(started.conversationId);
    expect(continued.replies).toEqual([
      { agent: 'helper', runId: continued.runId, status: 'succeeded', content: 'Your name is Ada.' },
    ]);
    expect(prompt(model.requests[before]!)).toEqual([
      ['system', 'You help.'],
      ['user', 'My name is Ada'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
    const thread = await h.api<{ messages: Array<{ role: string; content: string; runId: string | null }> }>(
      'GET',
      `/api/conversations/${started.conversationId}`,
    );
    expect(thread.body.messages.map((m) => [m.role, m.content, m.runId])).toEqual([
      ['user', 'My name is Ada', null],
      ['agent', 'Nice to meet you, Ada.', started.runId],
      ['user', 'What is my name?', null],
      ['agent', 'Your name is Ada.', continued.runId],
    ]);
    await client.close();
  });

  it('refuses an unknown conversation and another member’s private one, running nothing', async () => {
    const client = await connect(h.key);
    model.enqueue({ text: 'Private answer.' });
    const mine = (
      (await client.callTool({ name: 'agent_helper', arguments: { task: 'A private matter' } }))
        .structuredContent as unknown as Answer
    ).conversationId;
    const calls = model.requests.length;

    const unknown = await client.callTool({
      name: 'agent_helper',
      arguments: { task: 'Hello?', conversationId: 'cnv_does_not_exist' },
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('No conversation "cnv_does_not_exist"');

    const eve = await connect(eveKey);
    const stranger = await eve.callTool({
      name: 'agent_helper',
      arguments: { task: 'Let me in', conversationId: mine },
    });
    expect(stranger.isError).toBe(true);
    expect(textOf(stranger)).toContain(`No conversation "${mine}"`);
    expect(model.requests.length).toBe(calls);
    const thread = await h.api<{ messages: unknown[] }>('GET', `/api/conversations/${mine}`);
    expect(thread.body.messages).toHaveLength(2);
    await client.close();
    await eve.close();
  });
});
