import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { memoryTools } from '../../src/plugins/memory/memory-tools.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type Person = TestMember;

const DECISION = 'Decision: the Q3 marketing budget is capped at 40k EUR, approved by the CFO.';

describe.each(storeTargets())('memory shared in a space on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const people: Record<'alice' | 'bob' | 'eve', Person> = {} as never;

  const call = async <T>(who: Person | string, method: string, path: string, body?: unknown) => {
    const key = typeof who === 'string' ? who : who.key;
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const run = (who: Person, agent: string, task: string) =>
    call<{ run: RunRecord }>(who, 'POST', '/api/runs', { agent, task, wait: true, waitTimeoutMs: 20_000 });

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry(memoryTools(store)),
    });
    for (const name of ['alice', 'bob', 'eve'] as const) {
      people[name] = await addMember(store, h.workspaceId, {
        email: `${name}@example.com`,
        name,
        role: 'user',
      });
    }
    const space = await call<{ space: { id: string } }>(h.key, 'POST', '/api/spaces', {
      name: 'finance',
      visibility: 'restricted',
    });
    expect(space).toMatchObject({ status: 201 });
    for (const who of [people.alice, people.bob]) {
      expect((await call(h.key, 'POST', '/api/spaces/finance/members', { userId: who.id })).status).toBe(201);
    }
    for (const [name, tools] of [
      ['planner', ['remember']],
      ['analyst', ['recall']],
    ] as const) {
      const created = await call(h.key, 'POST', '/api/agents', {
        name,
        description: `The ${name} of the finance team`,
        model: 'scripted:test-model',
        tools,
        space: 'finance',
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it("records a decision in one agent's run and recalls it in another agent's run for another member", async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'remember', arguments: { content: DECISION, kind: 'decision', scope: 'space' } }],
      },
      { text: 'Recorded.' },
    );
    const first = await run(people.alice, 'planner', 'Record the Q3 budget decision for the team');
    expect(first.body.run.status).toBe('succeeded');

    model.requests.length = 0;
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'recall', arguments: { query: 'Q3 marketing budget' } }] },
      { text: 'The cap is 40k EUR.' },
    );
    const second = await run(people.bob, 'analyst', 'What is our Q3 marketing budget?');
    expect(second.body.run).toMatchObject({ status: 'succeeded', output: { text: 'The cap is 40k EUR.' } });
    const toolResult = JSON.stringify(model.requests[1]?.body.messages.filter((m) => m.role === 'tool'));
    expect(toolResult).toContain('capped at 40k EUR');

    const bobSees = await call<{ memories: Array<{ content: string }> }>(
      people.bob,
      'GET',
      '/api/memories?q=budget',
    );
    expect(bobSees.body.memories.map((m) => m.content)).toContain(DECISION);
  });

  it('keeps the space, its agents and its memory invisible to a user outside it', async () => {
    const agents = await call<{ agents: Array<{ name: string }> }>(people.eve, 'GET', '/api/agents');
    expect(agents.body.agents.map((a) => a.name)).not.toContain('analyst');
    expect((await call(people.eve, 'GET', '/api/agents/analyst')).status).toBe(404);
    const refused = await run(people.eve, 'analyst', 'What is our Q3 marketing budget?');
    expect(refused.status).toBe(404);
    const memories = await call<{ memories: Array<{ content: string }> }>(
      people.eve,
      'GET',
      '/api/memories?q=budget',
    );
    expect(JSON.stringify(memories.body)).not.toContain('40k');
    expect((await call(people.eve, 'GET', '/api/spaces/finance/members')).status).toBe(404);
    expect((await call<{ spaces: unknown[] }>(people.eve, 'GET', '/api/spaces')).body.spaces).toEqual([]);
  });

  it('takes a revoked membership into account at the next start', async () => {
    expect((await call(h.key, 'DELETE', `/api/spaces/finance/members/${people.bob.id}`)).status).toBe(200);
    const refused = await run(people.bob, 'analyst', 'What is our Q3 marketing budget?');
    expect(refused.status).toBe(404);
    const memories = await call(people.bob, 'GET', '/api/memories?q=budget');
    expect(JSON.stringify(memories.body)).not.toContain('40k');
  });
});
