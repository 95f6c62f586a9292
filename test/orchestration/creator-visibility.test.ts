import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { fireEventTriggers } from '../../src/plugins/orchestration/event-triggers.ts';
import { fireDueCronTriggers } from '../../src/plugins/orchestration/orchestration-ticker.ts';
import { advancePlan } from '../../src/plugins/orchestration/plan-executor.ts';
import type { PlanNodeRecord, PlanRecord } from '../../src/plugins/orchestration/plan-repo.ts';
import type { Trigger } from '../../src/plugins/orchestration/trigger-repo.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { deliverStandard, post } from './orchestration-support.ts';

/**
 * An agent in a restricted space through orchestration: triggers and plans may only name agents their
 * creator sees — at creation (an invisible agent is a missing one) and at every firing (losing the space
 * stops them; the refusal is kept on the trigger and audited once).
 */
describe.each(storeTargets())('orchestration and restricted agents on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  /** A builder outside the restricted space "finance". */
  let eve: TestMember;
  /** A builder in "finance" (for now). */
  let bob: TestMember;

  const admin = (method: string, path: string, body?: unknown) =>
    h.api<Record<string, unknown>>(method, path, body);
  const setBobInFinance = async (member: boolean) => {
    const answer = member
      ? await admin('POST', '/api/spaces/finance/members', { userId: bob.id })
      : await admin('DELETE', `/api/spaces/finance/members/${bob.id}`);
    expect(answer.status).toBe(member ? 201 : 200);
  };
  const count = async (sql: string, params: string[] = []) =>
    (await h.agentOs.store.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;
  const runsOf = (agent: string, userId: string) =>
    count(
      'SELECT count(*)::int AS n FROM runs r JOIN agents a ON a.id = r.agent_id WHERE a.name = $1 AND r.user_id = $2',
      [agent, userId],
    );
  const triggerRow = async (id: string) =>
    (
      await h.agentOs.store.query<{
        refusal: { code: string; message: string } | null;
        next_fire_at: Date | null;
      }>('SELECT refusal, next_fire_at FROM triggers WHERE id = $1', [id])
    ).rows[0];
  const refusalsAudited = (id: string) =>
    count(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'trigger.refused' AND resource->>'id' = $1`,
      [id],
    );

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    const store = h.agentOs.store;
    eve = await addMember(store, h.workspaceId, { email: 'eve@example.com', name: 'Eve', role: 'builder' });
    bob = await addMember(store, h.workspaceId, { email: 'bob@example.com', name: 'Bob', role: 'builder' });
    expect((await admin('POST', '/api/spaces', { name: 'finance', visibility: 'restricted' })).status).toBe(
      201,
    );
    await setBobInFinance(true);
    const ledger = await admin('POST', '/api/agents', {
      name: 'ledger',
      description: 'Keeps the books',
      model: 'scripted:test-model',
      space: 'finance',
    });
    expect(ledger.status).toBe(201);
    await h.createAgent({ name: 'reviewer', description: 'Reviews' });
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });

  it('refuses a builder outside the space every trigger naming the agent, exactly as for a missing one', async () => {
    const bodies = (agent: string) => [
      { kind: 'webhook', agent },
      { kind: 'cron', agent, schedule: '0 9 * * *', task: 'Close the books' },
      { kind: 'event', agent, source: 'reviewer', task: 'After review' },
      // The source whose output {{run.output}} would copy into Eve's runs.
      { kind: 'event', agent: 'reviewer', source: agent, task: 'Summarise {{run.output}}' },
    ];
    const before = await count('SELECT count(*)::int AS n FROM triggers');
    const missing = bodies('no-such-agent');
    for (const [i, body] of bodies('ledger').entries()) {
      const hidden = await post(h, '/api/triggers', body, eve.key);
      const absent = await post(h, '/api/triggers', missing[i], eve.key);
      expect([hidden.status, hidden.body]).toEqual([
        404,
        { error: { code: 'resource.not_found', message: 'No agent "ledger"' } },
      ]);
      expect([absent.status, (absent.body.error as { code: string }).code]).toEqual([
        404,
        'resource.not_found',
      ]);
    }
    expect(await count('SELECT count(*)::int AS n FROM triggers')).toBe(before);
  });

  it('refuses a plan naming the agent (as a node or a fallback) like a plan naming a missing one', async () => {
    const plan = (agent: string, fallbackAgent?: string) => ({
      name: 'books',
      nodes: [
        {
          id: 'a',
          kind: 'agent',
          agent,
          task: 'Close the books',
          ...(fallbackAgent ? { fallbackAgent } : {}),
        },
      ],
    });
    const hidden = await post(h, '/api/plans', plan('ledger'), eve.key);
    const absent = await post(h, '/api/plans', plan('nobody'), eve.key);
    expect(hidden.status).toBe(absent.status);
    expect(hidden.status).toBe(400);
    expect(JSON.stringify(hidden.body)).toBe(JSON.stringify(absent.body).replaceAll('nobody', 'ledger'));
    const fallback = await post(h, '/api/plans', plan('reviewer', 'ledger'), eve.key);
    expect(fallback.status).toBe(400);
    expect(JSON.stringify(fallback.body)).toContain('nodes.0.fallbackAgent');
    expect(await count('SELECT count(*)::int AS n FROM plans')).toBe(0);
  });

  it('stops a webhook whose owner left the space (403, recorded once) and resumes when they are back', async () => {
    await setBobInFinance(true);
    const created = await post(h, '/api/triggers', { kind: 'webhook', agent: 'ledger' }, bob.key);
    expect(created.status).toBe(201);
    const trigger = created.body.trigger as Trigger;
    const secret = created.body.secret as string;
    const listed = async (key: string) =>
      (
        (await fetch(`${h.url}/api/triggers`, { headers: { authorization: `Bearer ${key}` } }).then((r) =>
          r.json(),
        )) as { triggers: Trigger[] }
      ).triggers.map((t) => t.id);
    // A list shows what a get would: Eve does not see a trigger of the finance agent.
    expect(await listed(eve.key)).not.toContain(trigger.id);
    expect(await listed(h.key)).toContain(trigger.id);

    await setBobInFinance(false);
    const payload = JSON.stringify({ entry: 1 });
    for (let i = 0; i < 2; i += 1) {
      const refused = await deliverStandard(h.url, trigger.id, secret, payload);
      expect([refused.status, (refused.body.error as { code: string }).code]).toEqual([
        403,
        'trigger.owner_lost_access',
      ]);
    }
    expect(await runsOf('ledger', bob.id)).toBe(0);
    expect((await triggerRow(trigger.id))?.refusal).toEqual({
      code: 'trigger.owner_lost_access',
      message: `The trigger's owner may no longer see agent "ledger"`,
    });
    expect(await refusalsAudited(trigger.id)).toBe(1);

    await setBobInFinance(true);
    model.enqueue({ text: 'Booked.' });
    const accepted = await deliverStandard(h.url, trigger.id, secret, payload);
    expect(accepted.status).toBe(202);
    expect((accepted.body.run as RunRecord).userId).toBe(bob.id);
    expect((await triggerRow(trigger.id))?.refusal).toBeNull();
  });

  it('skips (and records) a cron firing whose owner left the space; the schedule moves on', async () => {
    await setBobInFinance(true);
    const created = await post(
      h,
      '/api/triggers',
      { kind: 'cron', agent: 'ledger', schedule: '0 9 * * *', task: 'Close the books' },
      bob.key,
    );
    expect(created.status).toBe(201);
    const cron = created.body.trigger as Trigger;
    await setBobInFinance(false);
    await h.agentOs.store.query(
      "UPDATE triggers SET next_fire_at = date_trunc('second', now()) - interval '10 seconds' WHERE id = $1",
      [cron.id],
    );
    const before = await runsOf('ledger', bob.id);
    expect(await fireDueCronTriggers(h.agentOs.kernel)).toEqual([]);
    expect(await runsOf('ledger', bob.id)).toBe(before);
    const row = await triggerRow(cron.id);
    expect(row?.refusal?.code).toBe('trigger.owner_lost_access');
    expect(row?.next_fire_at?.getTime()).toBeGreaterThan(Date.now());
  });

  it("copies no output of the agent's runs into an event trigger whose owner left the space", async () => {
    await setBobInFinance(true);
    const created = await post(
      h,
      '/api/triggers',
      { kind: 'event', agent: 'reviewer', source: 'ledger', task: 'Summarise {{run.output}}' },
      bob.key,
    );
    expect(created.status).toBe(201);
    const event = created.body.trigger as Trigger;
    // Another user's run never fires it: its output is not Bob's to pass on.
    model.enqueue({ text: 'Admin figures: 7' });
    await admin('POST', '/api/runs', { agent: 'ledger', task: 'Book', wait: true, waitTimeoutMs: 20_000 });
    expect(await fireEventTriggers(h.agentOs.kernel)).toEqual([]);
    expect((await triggerRow(event.id))?.refusal ?? null).toBeNull();
    model.enqueue({ text: 'Secret figures: 42' });
    const booked = await post(
      h,
      '/api/runs',
      { agent: 'ledger', task: 'Book', wait: true, waitTimeoutMs: 20_000 },
      bob.key,
    );
    expect((booked.body.run as RunRecord).status).toBe('succeeded');
    await setBobInFinance(false);
    expect(await fireEventTriggers(h.agentOs.kernel)).toEqual([]);
    expect(await runsOf('reviewer', bob.id)).toBe(0);
    expect((await triggerRow(event.id))?.refusal?.code).toBe('trigger.owner_lost_access');
    // The refused event passed without a run, even once Bob is back; the next one fires.
    await setBobInFinance(true);
    expect(await fireEventTriggers(h.agentOs.kernel)).toEqual([]);
    model.enqueue({ text: 'More figures' });
    await post(
      h,
      '/api/runs',
      { agent: 'ledger', task: 'Book again', wait: true, waitTimeoutMs: 20_000 },
      bob.key,
    );
    model.enqueue({ text: 'Summary' });
    const started = await fireEventTriggers(h.agentOs.kernel);
    expect(started).toHaveLength(1);
    expect((await triggerRow(event.id))?.refusal).toBeNull();
  });

  it("fails a plan step whose agent the plan's user may no longer see, starting no run", async () => {
    await setBobInFinance(true);
    const submitted = await post(
      h,
      '/api/plans',
      { name: 'books', nodes: [{ id: 'close', kind: 'agent', agent: 'ledger', task: 'Close the books' }] },
      bob.key,
    );
    expect(submitted.status).toBe(201);
    const plan = submitted.body.plan as PlanRecord;
    await setBobInFinance(false);
    const before = await runsOf('ledger', bob.id);
    await advancePlan(h.agentOs.kernel, plan.id);
    const view = await admin('GET', `/api/plans/${plan.id}`);
    const node = (view.body.nodes as PlanNodeRecord[])[0];
    expect((view.body.plan as PlanRecord).status).toBe('failed');
    expect([node?.status, node?.runId]).toEqual(['failed', null]);
    expect(node?.error?.message).toContain(`the plan's user may no longer see agent "ledger"`);
    expect(await runsOf('ledger', bob.id)).toBe(before);
  });

  it('stops the triggers of an owner removed from the workspace, even for an agent in no space', async () => {
    const carl = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'carl@example.com',
      name: 'Carl',
      role: 'builder',
    });
    const created = await post(h, '/api/triggers', { kind: 'webhook', agent: 'reviewer' }, carl.key);
    expect(created.status).toBe(201);
    const trigger = created.body.trigger as Trigger;
    await h.agentOs.store.query('DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2', [
      h.workspaceId,
      carl.id,
    ]);
    const refused = await deliverStandard(h.url, trigger.id, created.body.secret as string, '{}');
    expect(refused.status).toBe(403);
    expect((refused.body.error as { message: string }).message).toContain('no longer a member');
    expect(await runsOf('reviewer', carl.id)).toBe(0);
  });
});
