import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import { addSpaceMember, createSpace, removeSpaceMember } from '../../src/core/identity/space-repo.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import { saveArtefact } from '../../src/core/tools/artefacts.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/**
 * Issue 15, findings 1 and 2: a run is its user's (admins see all), a restricted space's agents and runs are
 * invisible outside it, and a list never holds a run a get refuses.
 */
describe.each(storeTargets())('run ownership and restricted agents on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let ada: TestMember;
  let bob: TestMember;
  let builder: TestMember;
  let member: TestMember;
  let spaceId = '';
  const runs = { ada: '', adaSpace: '', member: '' };

  const send = async (key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const listed = async (key: string, query = '') =>
    (
      JSON.parse((await send(key, 'GET', `/api/runs${query}`)).text) as { runs: Array<{ id: string }> }
    ).runs.map((run) => run.id);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    const store = h.agentOs.store;
    const add = (name: string, role: 'builder' | 'user') =>
      addMember(store, h.workspaceId, { email: `${name}@example.org`, name, role });
    [ada, bob, builder, member] = await Promise.all([
      add('ada', 'user'),
      add('bob', 'user'),
      add('bld', 'builder'),
      add('mem', 'builder'),
    ]);
    const space = await createSpace(store, {
      workspaceId: h.workspaceId,
      name: 'vault',
      visibility: 'restricted',
    });
    spaceId = space.id;
    await createSpace(store, { workspaceId: h.workspaceId, name: 'lobby', visibility: 'open' });
    await addSpaceMember(store, spaceId, member.id);
    await addSpaceMember(store, spaceId, ada.id);
    const definition = (name: string, space?: string) =>
      agentDefinitionSchema.parse({
        name,
        description: name,
        model: 'scripted:test-model',
        ...(space ? { space } : {}),
      });
    const open = await createAgent(store, {
      workspaceId: h.workspaceId,
      definition: definition('open-agent'),
    });
    const vault = await createAgent(store, {
      workspaceId: h.workspaceId,
      definition: definition('vault-agent', spaceId),
    });
    const start = async (agentId: string, userId: string) =>
      (
        await createRun(store, {
          workspaceId: h.workspaceId,
          agentId,
          agentVersion: 1,
          userId,
          input: { task: 'private task' },
          priority: 'standard',
        })
      ).id;
    runs.ada = await start(open.id, ada.id);
    runs.adaSpace = await start(vault.id, ada.id);
    runs.member = await start(vault.id, member.id);
    await saveArtefact(store, {
      id: 'art_ada',
      workspaceId: h.workspaceId,
      runId: runs.ada,
      tool: 't',
      json: '{"x":1}',
    });
  });

  afterAll(async () => {
    await h?.agentOs.stop();
    await model?.close();
  });

  it.each([
    ['GET', (id: string) => `/api/runs/${id}`],
    ['GET', (id: string) => `/api/runs/${id}/steps`],
    ['GET', (id: string) => `/api/runs/${id}/events`],
    ['GET', (id: string) => `/api/runs/${id}/tree`],
    ['POST', (id: string) => `/api/runs/${id}/cancel`],
    ['POST', (id: string) => `/api/runs/${id}/resume`],
  ] as const)(
    '%s %s of another user’s run is 404 for a user and a builder, 200-class for its user and admins',
    async (method, path) => {
      for (const key of [bob.key, builder.key]) {
        const answer = await send(key, method, path(runs.ada), method === 'POST' ? {} : undefined);
        expect(answer.status, answer.text).toBe(404);
        expect(answer.text).not.toContain('private task');
      }
      if (method === 'GET' && !path('x').endsWith('/events')) {
        expect((await send(ada.key, method, path(runs.ada))).status).toBe(200);
        expect((await send(h.key, method, path(runs.ada))).status).toBe(200);
      }
    },
  );

  it('a foreign cancel leaves the run queued', async () => {
    expect((await send(ada.key, 'POST', `/api/runs/${runs.member}/cancel`, {})).status).toBe(404);
    expect((await send(builder.key, 'POST', `/api/runs/${runs.member}/cancel`, {})).status).toBe(404);
    const run = JSON.parse((await send(member.key, 'GET', `/api/runs/${runs.member}`)).text) as {
      run: { status: string };
    };
    expect(run.run.status).toBe('queued');
  });

  it('lists hold only what a get shows, for every viewer and filter', async () => {
    const viewers = { ada, bob, builder, member, admin: { id: '', key: h.key } };
    for (const [name, viewer] of Object.entries(viewers)) {
      for (const query of ['', '?agent=', '?status=queued']) {
        const agentQuery = query === '?agent=' ? `?agent=${encodeURIComponent('')}` : query;
        const ids = query === '?agent=' ? await listed(viewer.key) : await listed(viewer.key, agentQuery);
        for (const id of Object.values(runs)) {
          const get = await send(viewer.key, 'GET', `/api/runs/${id}`);
          expect(ids.includes(id), `${name} ${query} ${id}`).toBe(get.status === 200);
        }
      }
    }
    expect(await listed(bob.key)).toEqual([]);
    expect(await listed(builder.key)).toEqual([]);
    expect(new Set(await listed(ada.key))).toEqual(new Set([runs.ada, runs.adaSpace]));
    expect(new Set(await listed(h.key))).toEqual(new Set(Object.values(runs)));
  });

  it('an artefact is as readable as its run', async () => {
    expect((await send(bob.key, 'GET', '/api/artefacts/art_ada')).status).toBe(404);
    expect((await send(builder.key, 'GET', '/api/artefacts/art_ada')).status).toBe(404);
    expect((await send(ada.key, 'GET', '/api/artefacts/art_ada')).status).toBe(200);
  });

  it('a restricted agent is invisible to a builder outside its space, on every route that names it', async () => {
    const cases: Array<[string, string, unknown?]> = [
      ['GET', '/api/agents/vault-agent'],
      ['GET', '/api/agents/vault-agent/versions'],
      ['PATCH', '/api/agents/vault-agent', { description: 'taken over' }],
      ['PATCH', '/api/agents/vault-agent', { space: 'lobby' }],
      ['DELETE', '/api/agents/vault-agent'],
      ['GET', '/api/memory-blocks?agentId=vault-agent'],
      ['POST', '/api/runs', { agent: 'vault-agent', task: 'hi' }],
    ];
    for (const [method, path, body] of cases) {
      const answer = await send(builder.key, method, path, body);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
    }
    const vault = JSON.parse((await send(member.key, 'GET', '/api/agents/vault-agent')).text) as {
      agent: { id: string; version: number; definition: { description: string } };
    };
    expect(vault.agent.version).toBe(1);
    expect(vault.agent.definition.description).toBe('vault-agent');
    const memory = await send(builder.key, 'POST', '/api/memories', {
      kind: 'fact',
      content: 'planted',
      scope: 'agent',
      scopeId: vault.agent.id,
    });
    expect(memory.status, memory.text).toBe(404);
    const asMember = await send(member.key, 'POST', '/api/memories', {
      kind: 'fact',
      content: 'vault agent note',
      scope: 'agent',
      scopeId: vault.agent.id,
    });
    expect(asMember.status, asMember.text).toBe(201);
    expect((await send(builder.key, 'GET', '/api/memories?scope=agent')).text).not.toContain(
      'vault agent note',
    );
  });

  it('losing the space hides the runs of its agents from their own user', async () => {
    expect((await send(ada.key, 'GET', `/api/runs/${runs.adaSpace}`)).status).toBe(200);
    await removeSpaceMember(h.agentOs.store, spaceId, ada.id);
    expect((await send(ada.key, 'GET', `/api/runs/${runs.adaSpace}`)).status).toBe(404);
    expect(await listed(ada.key)).toEqual([runs.ada]);
    await addSpaceMember(h.agentOs.store, spaceId, ada.id);
  });
});
