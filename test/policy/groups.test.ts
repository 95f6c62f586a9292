import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type Person = TestMember;

describe.each(storeTargets())('groups on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const people = {} as Record<'carol' | 'dave', Person>;

  const call = async <T = Record<string, unknown>>(
    key: string,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({ store, modelBaseUrl: model.url, tools: new ToolRegistry([]) });
    for (const name of ['carol', 'dave'] as const) {
      people[name] = await addMember(store, h.workspaceId, {
        email: `${name}@example.com`,
        name,
        role: 'user',
      });
    }
    for (const [group, who] of [
      ['contractors', people.carol],
      ['finance-team', people.dave],
    ] as const) {
      expect((await call(h.key, 'POST', '/api/groups', { name: group })).status).toBe(201);
      const added = await call(h.key, 'POST', `/api/groups/${group}/members`, { userId: who.id });
      expect(added).toMatchObject({ status: 201, body: { group: { name: group, members: [who.id] } } });
    }
    expect(
      (await call(h.key, 'POST', '/api/spaces', { name: 'ledger', visibility: 'restricted' })).status,
    ).toBe(201);
    for (const [name, space] of [
      ['bookkeeper', 'ledger'],
      ['greeter', undefined],
    ] as const) {
      const created = await call(h.key, 'POST', '/api/agents', {
        name,
        description: `The ${name}`,
        model: 'scripted:test-model',
        ...(space === undefined ? {} : { space }),
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('makes a group members of a restricted space', async () => {
    const names = async (who: Person) =>
      (await call<{ agents: Array<{ name: string }> }>(who.key, 'GET', '/api/agents')).body.agents.map(
        (a) => a.name,
      );
    expect(await names(people.dave)).not.toContain('bookkeeper');
    expect((await call(h.key, 'POST', '/api/spaces/ledger/groups', { group: 'finance-team' })).status).toBe(
      201,
    );
    expect(await names(people.dave)).toContain('bookkeeper');
    expect(await names(people.carol)).not.toContain('bookkeeper');
    // Only admins manage groups.
    expect((await call(people.dave.key, 'POST', '/api/groups', { name: 'mine' })).status).toBe(403);
    expect((await call(h.key, 'POST', '/api/groups', { name: 'Bad Name' })).status).toBe(400);
  });

  it('lets a workspace Cedar policy forbid a group what its role allows', async () => {
    const policy = 'forbid (principal in Group::"contractors", action == Action::"runs.start", resource);';
    expect((await call(h.key, 'PUT', '/api/policies/cedar', { policies: policy })).status).toBe(200);
    model.setHandler(() => ({ text: 'Hello.' }));
    const refused = await call(people.carol.key, 'POST', '/api/runs', {
      agent: 'greeter',
      task: 'Say hello',
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden' } } });
    const allowed = await call(people.dave.key, 'POST', '/api/runs', { agent: 'greeter', task: 'Say hello' });
    expect(allowed.status).toBe(202);
    // Leaving the group lifts the restriction at the next request.
    expect((await call(h.key, 'DELETE', `/api/groups/contractors/members/${people.carol.id}`)).status).toBe(
      200,
    );
    const now = await call(people.carol.key, 'POST', '/api/runs', { agent: 'greeter', task: 'Say hello' });
    expect(now.status).toBe(202);
  });
});
