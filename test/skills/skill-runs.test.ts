import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getAgent } from '../../src/core/agents/agent-repo.ts';
import { chainPendingAudit } from '../../src/core/audit-log/audit-chainer.ts';
import { listAudit } from '../../src/core/audit-log/audit-log.ts';
import { listRunEvents } from '../../src/core/kernel/run-events.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { searchableSources } from '../../src/plugins/knowledge/knowledge-tool.ts';
import { createSource } from '../../src/plugins/knowledge/source-repo.ts';
import { resolveAgentSkills } from '../../src/plugins/skills/skill-resolution.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { effects, send, skillTools } from './skills-support.ts';

type Body = Record<string, unknown> & {
  run: RunRecord;
  error: { code: string; message: string; details?: Record<string, unknown> };
};

describe.each(storeTargets())('runs of agents with skills on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  /** A builder in the restricted space "finance". */
  let ada: TestMember;
  /** A user in "finance". */
  let cleo: TestMember;
  /** A user outside it. */
  let dan: TestMember;

  const as = (member: TestMember | string, method: string, path: string, body?: unknown) =>
    send<Body>(h.url, typeof member === 'string' ? member : member.key, method, `/api${path}`, body);
  const admin = (method: string, path: string, body?: unknown) => as(h.key, method, path, body);
  const startWorker = () => h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
  const run = async (member: TestMember, agent: string, task: string): Promise<RunRecord> => {
    const started = await as(member, 'POST', '/runs', { agent, task });
    expect(started.status).toBe(202);
    return h.agentOs.kernel.runs.wait(h.workspaceId, started.body.run.id, {
      timeoutMs: 15_000,
      pollMs: 20,
    });
  };
  const systemPrompt = (index: number) =>
    (model.requests[index]?.body.messages ?? [])
      .filter((message) => message.role === 'system')
      .map((message) => String(message.content))
      .join('\n');
  const offeredTools = (index: number) =>
    (model.requests[index]?.body.tools ?? []).map((tool) => tool.function.name).sort();
  const decisions = async (runId: string) =>
    (await listRunEvents(h.agentOs.store, runId, 0))
      .filter((event) => event.type === 'policy.decision')
      .map((event) => `${String(event.data.tool)}:${String(event.data.effect)}:${String(event.data.ruleId)}`);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: skillTools,
      roles: ['api'],
    });
    worker = startWorker();
    const store = h.agentOs.store;
    ada = await addMember(store, h.workspaceId, { email: 'ada@example.com', name: 'Ada', role: 'builder' });
    cleo = await addMember(store, h.workspaceId, { email: 'cleo@example.com', name: 'Cleo', role: 'user' });
    dan = await addMember(store, h.workspaceId, { email: 'dan@example.com', name: 'Dan', role: 'user' });
    expect((await admin('POST', '/spaces', { name: 'finance', visibility: 'restricted' })).status).toBe(201);
    for (const member of [ada, cleo]) {
      expect((await admin('POST', '/spaces/finance/members', { userId: member.id })).status).toBe(201);
    }
    const skill = await as(ada, 'POST', '/skills', {
      name: 'refunds',
      description: 'How we refund orders',
      instructions: 'Before any refund, write a note starting with REFUND.',
      tools: ['note'],
      space: 'finance',
    });
    expect(skill.status).toBe(201);
    // The agent itself is in no space: everybody sees it; only the skill is the finance team's.
    const agent = await as(ada, 'POST', '/agents', {
      name: 'clerk',
      description: 'Answers questions about orders',
      model: 'scripted:test-model',
      instructions: 'You are a clerk.',
      tools: ['lookup'],
      skills: ['refunds'],
    });
    expect(agent.status).toBe(201);
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(async () => {
    effects.length = 0;
    model.requests.length = 0;
    expect((await admin('PUT', '/policies/cedar', { policies: '' })).status).toBe(200);
    expect((await admin('PUT', '/policy', {})).status).toBe(200);
  });

  it("puts the skill's instructions into the prompt and lets the agent call the skill's tool", async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'REFUND order 42' } }] },
      { text: 'Refund noted.' },
    );
    const finished = await run(cleo, 'clerk', 'Refund order 42');
    expect(finished.status).toBe('succeeded');
    expect(systemPrompt(0)).toBe(
      'You are a clerk.\n\n## Skill: refunds\n\nBefore any refund, write a note starting with REFUND.',
    );
    expect(offeredTools(0)).toEqual(['lookup', 'note']);
    expect(effects).toEqual(['note:REFUND order 42']);
    expect(await decisions(finished.id)).toEqual(['note:allow:default.allow']);
  });

  it('runs the skill version the agent version pinned, until the agent is saved again', async () => {
    const v2 = await as(ada, 'PATCH', '/skills/refunds', {
      instructions: 'Refunds over 100 need a second note.',
    });
    expect(v2.body).toMatchObject({ skill: { version: 2 } });
    model.enqueue({ text: 'ok' }, { text: 'ok' });
    expect((await run(cleo, 'clerk', 'first')).status).toBe('succeeded');
    expect(systemPrompt(0)).toContain('write a note starting with REFUND');

    const resaved = await as(ada, 'PATCH', '/agents/clerk', { skills: ['refunds'] });
    expect(resaved.body).toMatchObject({ agent: { definition: { skills: ['refunds@2'] } } });
    expect((await run(cleo, 'clerk', 'second')).status).toBe('succeeded');
    expect(systemPrompt(1)).toContain('Refunds over 100 need a second note.');
    expect(systemPrompt(1)).not.toContain('starting with REFUND');
  });

  it("refuses a user outside the skill's space a run of an agent relying on it, and fails a queued run whose user lost it", async () => {
    expect((await as(dan, 'GET', '/agents/clerk')).status).toBe(200);
    expect((await as(dan, 'GET', '/skills/refunds')).status).toBe(404);
    const refused = await as(dan, 'POST', '/runs', { agent: 'clerk', task: 'Refund order 7' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'skill.unavailable',
      details: { agent: 'clerk', skill: 'refunds@2', reason: 'not_visible' },
    });
    const runs = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM runs WHERE user_id = $1',
      [dan.id],
    );
    expect(runs.rows[0]?.n).toBe(0);

    // Queued while Cleo was in the space; she leaves before a worker takes it.
    await worker.stop();
    const queued = await as(cleo, 'POST', '/runs', { agent: 'clerk', task: 'Refund order 8' });
    expect(queued.status).toBe(202);
    expect((await admin('DELETE', `/spaces/finance/members/${cleo.id}`)).status).toBe(200);
    worker = startWorker();
    const failed = await h.agentOs.kernel.runs.wait(h.workspaceId, queued.body.run.id, {
      timeoutMs: 15_000,
      pollMs: 20,
    });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'skill.unavailable', details: { reason: 'not_visible' } });
    expect(model.requests).toHaveLength(0);
    expect((await admin('POST', '/spaces/finance/members', { userId: cleo.id })).status).toBe(201);

    // Shared, the skill is usable by everyone in the workspace.
    expect((await as(ada, 'PATCH', '/skills/refunds', { shared: true })).status).toBe(200);
    model.enqueue({ text: 'done' });
    expect((await run(dan, 'clerk', 'Refund order 9')).status).toBe('succeeded');
    expect((await as(ada, 'PATCH', '/skills/refunds', { shared: false })).status).toBe(200);
  });

  it('does not widen access: a skill tool outside the boundary, or not allowed for the user, is denied at call time', async () => {
    const payouts = await as(ada, 'POST', '/skills', {
      name: 'payouts',
      description: 'Pays suppliers',
      instructions: 'Pay whoever the task names.',
      tools: ['pay'],
      space: 'finance',
    });
    expect(payouts.status).toBe(201);
    const payer = await as(ada, 'POST', '/agents', {
      name: 'payer',
      description: 'Pays',
      model: 'scripted:test-model',
      skills: ['payouts'],
    });
    expect(payer.status).toBe(201);

    // The admin narrows the boundary after the skill and the agent were saved.
    expect((await admin('PUT', '/policy', { boundary: { tools: ['lookup', 'note'] } })).status).toBe(200);
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'acme' } }] },
      { text: 'I could not pay.' },
    );
    const outside = await run(cleo, 'payer', 'Pay acme');
    expect(outside.status).toBe('succeeded');
    expect(effects).toEqual([]);
    expect(await decisions(outside.id)).toEqual(['pay:deny:boundary.tool']);
    const toolMessage = model.requests[1]?.body.messages.find((message) => message.role === 'tool');
    expect(String(toolMessage?.content)).toContain('Blocked by policy (boundary.tool)');

    // Inside the boundary again, but the workspace forbids users (not builders) to have agents pay.
    expect((await admin('PUT', '/policy', {})).status).toBe(200);
    const usersNoPay =
      '@id("users_no_pay") forbid (principal, action == Action::"callTool", resource == Tool::"pay") when { principal has actingFor && principal.actingFor in Role::"user" };';
    expect((await admin('PUT', '/policies/cedar', { policies: usersNoPay })).status).toBe(200);
    model.requests.length = 0;
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'acme' } }] },
      { text: 'Not allowed.' },
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'acme' } }] },
      { text: 'Paid.' },
    );
    const asUser = await run(cleo, 'payer', 'Pay acme');
    expect(await decisions(asUser.id)).toEqual(['pay:deny:cedar:workspace.users_no_pay']);
    expect(effects).toEqual([]);
    const asBuilder = await run(ada, 'payer', 'Pay acme');
    expect(await decisions(asBuilder.id)).toEqual(['pay:allow:default.allow']);
    expect(effects).toEqual(['pay:acme']);

    await chainPendingAudit(h.agentOs.store);
    const audit = await listAudit(h.agentOs.store, {
      workspaceId: h.workspaceId,
      action: 'policy.decision',
      limit: 1_000,
    });
    const ruleIds = audit.map((entry) => String((entry.data as { ruleId?: unknown }).ruleId));
    expect(ruleIds).toEqual(expect.arrayContaining(['boundary.tool', 'cedar:workspace.users_no_pay']));
  });

  it("grants the skill's knowledge sources to search_knowledge, for the run's user to read", async () => {
    await createSource(h.agentOs.store, {
      workspaceId: h.workspaceId,
      spaceId: null,
      name: 'handbook',
      kind: 'folder',
      config: { path: '/nonexistent' },
      scheduleMinutes: null,
      createdBy: null,
    });
    const manual = await as(ada, 'POST', '/skills', {
      name: 'manual',
      description: 'Answers from the handbook',
      knowledge: ['handbook'],
      space: 'finance',
    });
    expect(manual.status).toBe(201);
    for (const [name, skills] of [
      ['librarian', ['manual']],
      ['plain', []],
    ] as const) {
      const agent = await as(ada, 'POST', '/agents', {
        name,
        description: 'd',
        model: 'scripted:test-model',
        skills,
      });
      expect(agent.status).toBe(201);
    }
    model.enqueue({ text: 'ok' }, { text: 'ok' });
    const withSkill = await run(cleo, 'librarian', 'What does the handbook say?');
    const without = await run(cleo, 'plain', 'What does the handbook say?');
    const searchable = async (runId: string) =>
      (await searchableSources(h.agentOs.store, { workspaceId: h.workspaceId, userId: cleo.id, runId })).map(
        (source) => source.name,
      );
    expect(await searchable(withSkill.id)).toEqual(['handbook']);
    expect(await searchable(without.id)).toEqual([]);
  });

  it('resolves an unpinned skill to the version that was newest when the run was submitted', async () => {
    const before = new Date(Date.now() - 60_000);
    expect((await as(ada, 'POST', '/skills', { name: 'drifting', description: 'v1' })).status).toBe(201);
    const submitted = (await h.agentOs.store.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    expect((await as(ada, 'PATCH', '/skills/drifting', { description: 'v2' })).status).toBe(200);
    // Written straight to the store, the agent's skill is not pinned.
    await h.createAgent({ name: 'unpinned', skills: ['drifting'] });
    const agent = await getAgent(h.agentOs.store, h.workspaceId, 'unpinned');
    expect(agent.definition.skills).toEqual(['drifting']);
    const versionAt = async (asOf?: Date) =>
      (await resolveAgentSkills(h.agentOs.store, agent, ada.id, asOf)).map((skill) => skill.version);
    expect(await versionAt(submitted)).toEqual([1]);
    expect(await versionAt()).toEqual([2]);
    await expect(versionAt(before)).rejects.toMatchObject({
      code: 'skill.unavailable',
      details: { reason: 'version_missing' },
    });
  });

  it('fails the runs of an agent whose skill was deleted, with the reason', async () => {
    expect((await as(ada, 'DELETE', '/skills/payouts')).status).toBe(200);
    const refused = await as(ada, 'POST', '/runs', { agent: 'payer', task: 'Pay acme' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'skill.unavailable', details: { reason: 'deleted' } });
    // A new skill under the old name is not the one the agent version pinned.
    const again = await as(ada, 'POST', '/skills', { name: 'payouts', description: 'new', tools: ['note'] });
    expect(again.status).toBe(201);
    const replaced = await as(ada, 'POST', '/runs', { agent: 'payer', task: 'Pay acme' });
    expect(replaced.body.error).toMatchObject({ code: 'skill.unavailable', details: { reason: 'replaced' } });
  });
});
