import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { addMember } from '../support/members.ts';
import { closedPortUrl, type ModelListServer, startModelListServer } from '../support/model-list-server.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Issue 20 item 3: an agent is saved only with a model its server can serve and tools it could be granted. */
describe.each(storeTargets())('model and tool checks at save on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let key: string;
  let workspaceId: string;
  let up: ModelListServer;
  let downUrl: string;
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${agentOs.http!.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const create = (name: string, model: string, tools: string[] = []) =>
    send('POST', '/agents', { name, description: 'Checks references', model, tools });
  const refused = async (response: Response, code: string): Promise<ErrorBody['error']> => {
    const body = (await response.json()) as ErrorBody;
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 400, code });
    return body.error;
  };
  const agentCount = async () =>
    (await agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM agents')).rows[0]?.n;

  beforeAll(async () => {
    up = await startModelListServer(['llama3.1:8b']);
    downUrl = await closedPortUrl();
    agentOs = await startAgentOs(
      testConfig({
        providers: {
          openai: { apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' },
          compatible: [
            { name: 'local', baseURL: up.url },
            { name: 'down', baseURL: downUrl },
          ],
        },
      }),
      { roles: ['api'], store: await target.open(), log: () => {} },
    );
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    key = agentOs.firstStart.apiKey;
    workspaceId = agentOs.firstStart.workspaceId;
  });
  afterAll(async () => {
    await agentOs.stop();
    await up.close();
  });

  it('refuses a provider that is not configured, naming it and the configured ones', async () => {
    const error = await refused(await create('a1', 'nosuch:model-x'), 'model.unknown_provider');
    expect(error.message).toContain('"nosuch"');
    expect(error.message).toContain('configured providers: openai, local, down');
  });

  it('refuses a provider kind that needs a key it lacks', async () => {
    const error = await refused(
      await create('a2', 'anthropic:claude-sonnet-4-5'),
      'model.provider_not_configured',
    );
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });

  it('refuses a model the catalogue does not know for openai, listing the ones it does', async () => {
    const error = await refused(await create('a3', 'openai:gpt-9-imaginary'), 'model.unknown_model');
    expect(error.message).toContain('"openai:gpt-9-imaginary" is not in the openai catalogue');
    expect(error.message).toContain('openai:gpt-4o-mini');
  });

  it('refuses a model a compatible server does not list, and accepts one it does', async () => {
    const error = await refused(await create('a4', 'local:mistral'), 'model.unknown_model');
    expect(error.message).toContain(`lists at ${up.url}`);
    expect(error.message).toContain('known: local:llama3.1:8b');
    expect((await create('a4', 'local:llama3.1:8b')).status).toBe(201);
  });

  it('accepts any model of a compatible server that does not answer /models', async () => {
    expect((await create('a5', 'down:whatever-it-serves')).status).toBe(201);
  });

  it('refuses a tool that is not registered, naming it and what exists', async () => {
    const before = await agentCount();
    const error = await refused(
      await create('a6', 'openai:gpt-4o-mini', ['http_fetch', 'no_such_tool']),
      'tool.not_registered',
    );
    expect(error.message).toMatch(/^Tool "no_such_tool" is not registered; known: .*http_fetch/);
    expect(error.details?.unknown).toEqual(['no_such_tool']);
    // An MCP-style name whose server is not registered is just as unknown, in the old spelling too.
    const dotted = await refused(
      await create('a6', 'openai:gpt-4o-mini', ['web.fetch']),
      'tool.not_registered',
    );
    expect(dotted.message).toContain('"web__fetch"');
    expect(await agentCount()).toBe(before);
  });

  it('checks a patch too: a new model or tools are refused the same way, a good patch saves a version', async () => {
    expect((await create('a7', 'openai:gpt-4o-mini', ['http_fetch'])).status).toBe(201);
    await refused(await send('PATCH', '/agents/a7', { model: 'nosuch:m' }), 'model.unknown_provider');
    await refused(await send('PATCH', '/agents/a7', { tools: ['no_such_tool'] }), 'tool.not_registered');
    const patched = await send('PATCH', '/agents/a7', { model: 'local:llama3.1:8b', tools: ['recall'] });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { agent: { version: number } }).agent.version).toBe(2);
  });

  it('lists the tools an agent could be granted, with their effect and stakes', async () => {
    const response = await fetch(`${agentOs.http!.url}/api/tools`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      tools: { name: string; effect: string; stakes: string; origin: string; description: string }[];
      unlisted: unknown[];
    };
    expect(body.tools).toContainEqual(
      expect.objectContaining({ name: 'http_fetch', effect: 'read', origin: 'built-in' }),
    );
    expect(body.tools.every((tool) => tool.description.length > 0)).toBe(true);
    expect(body.unlisted).toEqual([]);
    // Builders' reading: a plain user is not shown the workspace's MCP server names through it.
    const { key: userKey } = await addMember(agentOs.store, workspaceId, {
      email: 'plain@example.com',
      name: 'Plain',
      role: 'user',
    });
    const asUser = await fetch(`${agentOs.http!.url}/api/tools`, {
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(asUser.status).toBe(403);
  });

  it('accepts tools of a registered MCP server that does not answer, and shows it as unlisted', async () => {
    const registered = await send('POST', '/mcp/servers', { name: 'gone', transport: 'http', url: downUrl });
    expect(registered.status).toBe(201);
    const tools = (await (
      await fetch(`${agentOs.http!.url}/api/tools`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { unlisted: { prefix: string; origin: string; message: string }[] };
    expect(tools.unlisted).toEqual([
      {
        prefix: 'gone',
        origin: 'mcp:gone',
        message: expect.stringContaining('MCP server "gone" did not answer'),
      },
    ]);
    expect((await create('a8', 'openai:gpt-4o-mini', ['gone__send_mail'])).status).toBe(201);
    await refused(await create('a9', 'openai:gpt-4o-mini', ['other.send_mail']), 'tool.not_registered');
  });
});
