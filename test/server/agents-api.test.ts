import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirstStartResult } from '../../src/core/identity/first-start.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface AgentBody {
  id: string;
  name: string;
  version: number;
  definition: {
    name: string;
    description: string;
    model: string;
    tools: string[];
    limits: { maxSteps: number };
  };
  deletedAt: string | null;
}

interface ErrorBody {
  error: { code: string; message: string };
}

function adminKey(firstStart: FirstStartResult): string {
  if (!firstStart.created) throw new Error('expected a first start');
  return firstStart.apiKey;
}

describe.each(storeTargets())('agents API on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let key: string;
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${init.key ?? key}`);
    return fetch(`${base}/api${path}`, { ...init, headers });
  };
  const send = (method: string, path: string, body: unknown, as?: string) =>
    call(path, {
      method,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(as ? { key: as } : {}),
    });
  const counts = async () =>
    (
      await agentOs.store.query<{ agents: number; versions: number }>(
        'SELECT (SELECT count(*)::int FROM agents) AS agents, (SELECT count(*)::int FROM agent_versions) AS versions',
      )
    ).rows[0];
  const expectError = async (response: Response, status: number, code: string): Promise<string> => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    return body.error.message;
  };

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), { roles: ['api'], store: await target.open(), log: () => {} });
    base = agentOs.http!.url;
    key = adminKey(agentOs.firstStart);
  });
  afterAll(async () => agentOs.stop());

  it('creates, reads, updates, lists versions and deletes an agent', async () => {
    const created = await send('POST', '/agents', {
      name: 'helper',
      description: 'Answers questions',
      model: 'openai:gpt-4o-mini',
      tools: ['http_fetch'],
    });
    expect(created.status).toBe(201);
    const { agent } = (await created.json()) as { agent: AgentBody };
    expect(agent).toMatchObject({
      name: 'helper',
      version: 1,
      deletedAt: null,
      definition: { limits: { maxSteps: 20 } },
    });

    const byName = await call('/agents/helper');
    expect(byName.status).toBe(200);
    expect(((await byName.json()) as { agent: AgentBody }).agent).toEqual(agent);

    const patched = await send('PATCH', `/agents/${agent.id}`, {
      model: 'anthropic:claude-sonnet-4-5',
      limits: { maxSteps: 7 },
    });
    expect(patched.status).toBe(200);
    const v2 = ((await patched.json()) as { agent: AgentBody }).agent;
    expect(v2).toMatchObject({
      id: agent.id,
      version: 2,
      definition: { model: 'anthropic:claude-sonnet-4-5', tools: ['http_fetch'], limits: { maxSteps: 7 } },
    });

    const v1 = ((await (await call('/agents/helper?version=1')).json()) as { agent: AgentBody }).agent;
    expect(v1.definition.model).toBe('openai:gpt-4o-mini');
    const versions = (await (await call('/agents/helper/versions')).json()) as { versions: AgentBody[] };
    expect(versions.versions.map((v) => v.version)).toEqual([1, 2]);
    const list = (await (await call('/agents')).json()) as { agents: AgentBody[] };
    expect(list.agents).toEqual([v2]);

    const deleted = await call('/agents/helper', { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as { agent: AgentBody }).agent.deletedAt).toEqual(expect.any(String));
    await expectError(await call('/agents/helper'), 404, 'resource.not_found');
    expect(((await (await call('/agents')).json()) as { agents: AgentBody[] }).agents).toEqual([]);
    const recreated = await send('POST', '/agents', {
      name: 'helper',
      description: 'Again',
      model: 'openai:gpt-4o',
    });
    expect(recreated.status).toBe(201);
    expect(((await recreated.json()) as { agent: AgentBody }).agent.id).not.toBe(agent.id);
  });

  it('rejects bad bodies with exact codes and writes nothing', async () => {
    const valid = { name: 'checker', description: 'Checks', model: 'openai:gpt-4o-mini' };
    const before = await counts();
    await expectError(await send('POST', '/agents', { ...valid, colour: 'red' }), 400, 'request.invalid');
    const message = await expectError(
      await send('POST', '/agents', { ...valid, model: 'nocolon' }),
      400,
      'request.invalid',
    );
    expect(message).toMatch(/model/);
    await expectError(await send('POST', '/agents', '{"name": "checker",'), 400, 'request.malformed_json');
    await expectError(
      await send('POST', '/agents', { ...valid, limits: { maxSteps: 0 } }),
      400,
      'request.invalid',
    );
    expect(await counts()).toEqual(before);

    expect((await send('POST', '/agents', valid)).status).toBe(201);
    const afterCreate = await counts();
    await expectError(await send('POST', '/agents', valid), 409, 'resource.conflict');
    await expectError(await send('PATCH', '/agents/checker', { colour: 'red' }), 400, 'request.invalid');
    await expectError(
      await send('PATCH', '/agents/checker', { limits: { speed: 3 } }),
      400,
      'request.invalid',
    );
    await expectError(await send('PATCH', '/agents/checker', { model: 'nocolon' }), 400, 'request.invalid');
    await expectError(await send('PATCH', '/agents/checker', {}), 400, 'request.invalid');
    await expectError(await send('PATCH', '/agents/checker', '{'), 400, 'request.malformed_json');
    expect(await counts()).toEqual(afterCreate);
    const current = ((await (await call('/agents/checker')).json()) as { agent: AgentBody }).agent;
    expect(current.version).toBe(1);
  });

  it('forbids writes to a member with the user role', async () => {
    const member = await send('POST', '/users', {
      email: 'reader@example.com',
      name: 'Reader',
      role: 'user',
    });
    expect(member.status).toBe(201);
    const { user } = (await member.json()) as { user: { id: string } };
    const minted = await send('POST', '/keys', { name: 'reader', userId: user.id });
    const { secret } = (await minted.json()) as { secret: string };
    const before = await counts();
    const definition = { name: 'nope', description: 'No', model: 'openai:gpt-4o-mini' };
    await expectError(await send('POST', '/agents', definition, secret), 403, 'auth.forbidden');
    await expectError(
      await send('PATCH', '/agents/checker', { description: 'x' }, secret),
      403,
      'auth.forbidden',
    );
    await expectError(
      await call('/agents/checker', { method: 'DELETE', key: secret }),
      403,
      'auth.forbidden',
    );
    expect(await counts()).toEqual(before);
    expect((await call('/agents', { key: secret })).status).toBe(200);
  });

  it('answers 404 for unknown agents and 400 for a bad version query', async () => {
    await expectError(await call('/agents/ghost'), 404, 'resource.not_found');
    await expectError(await call('/agents/ghost/versions'), 404, 'resource.not_found');
    await expectError(await send('PATCH', '/agents/ghost', { description: 'x' }), 404, 'resource.not_found');
    await expectError(await call('/agents/ghost', { method: 'DELETE' }), 404, 'resource.not_found');
    await expectError(await call('/agents/checker?version=9'), 404, 'resource.not_found');
    for (const query of ['version=abc', 'version=0', 'version=-1', 'version=1.5', 'version=', 'verison=1']) {
      await expectError(await call(`/agents/checker?${query}`), 400, 'request.invalid');
    }
  });
});
