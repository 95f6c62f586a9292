import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { fireEventTriggers } from '../../src/plugins/orchestration/event-triggers.ts';
import { fireDueCronTriggers } from '../../src/plugins/orchestration/orchestration-ticker.ts';
import type { Trigger } from '../../src/plugins/orchestration/trigger-repo.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle } from './orchestration-support.ts';

describe.each(storeTargets())('event triggers and cron time zones on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;

  const runTask = async (agent: string, task: string) =>
    (await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent, task, wait: true, waitTimeoutMs: 20_000 }))
      .body.run;
  const runsOf = async (agent: string) =>
    (
      await h.agentOs.store.query<{ id: string }>(
        'SELECT r.id FROM runs r JOIN agents a ON a.id = r.agent_id WHERE a.name = $1 ORDER BY r.created_at',
        [agent],
      )
    ).rows.map((row) => row.id);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    await h.createAgent({ name: 'writer', description: 'Writes drafts' });
    await h.createAgent({ name: 'reviewer', description: 'Reviews drafts' });
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });

  it('starts exactly one run per finished source run, with its output, however many processes tick', async () => {
    const loop = await h.api('POST', '/api/triggers', {
      kind: 'event',
      agent: 'writer',
      source: 'writer',
      task: 'x',
    });
    expect(loop.status).toBe(400);
    const created = await h.api<{ trigger: Trigger }>('POST', '/api/triggers', {
      kind: 'event',
      agent: 'reviewer',
      source: 'writer',
      task: 'Review draft {{run.id}}: {{run.output}}',
    });
    expect(created.status).toBe(201);
    expect(created.body.trigger).toMatchObject({ kind: 'event', onStatuses: ['succeeded'] });

    model.enqueue({ text: 'Draft: agents need durable runs.' });
    const draft = await runTask('writer', 'Write a draft');
    expect(draft.status).toBe('succeeded');
    model.enqueue({ kind: 'error', status: 400, message: 'bad request' });
    const failed = await runTask('writer', 'Write another draft');
    expect(failed.status).toBe('failed');

    model.enqueue({ text: 'Looks good.' });
    const [first, second] = await Promise.all([
      fireEventTriggers(h.agentOs.kernel),
      fireEventTriggers(h.agentOs.kernel),
    ]);
    const started = [...new Set([...first, ...second])];
    expect(started).toHaveLength(1);
    const review = await settle(h.agentOs.kernel, h.workspaceId, started[0]!);
    expect(review).toMatchObject({
      status: 'succeeded',
      userId: created.body.trigger.ownerUserId,
      // Another run's output is outside content for this one: the run starts tainted.
      input: { task: `Review draft ${draft.id}: Draft: agents need durable runs.`, untrusted: true },
    });
    expect(await fireEventTriggers(h.agentOs.kernel)).toEqual([]);
    expect(await runsOf('reviewer')).toEqual([review.id]);
  });

  it('reads cron schedules in their time zone and skips missed firings when asked', async () => {
    const bad = await h.api('POST', '/api/triggers', {
      kind: 'cron',
      agent: 'reviewer',
      schedule: '0 9 * * *',
      timezone: 'Mars/Olympus',
      task: 'x',
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'request.invalid' } } });
    const tokyo = await h.api<{ trigger: Trigger }>('POST', '/api/triggers', {
      kind: 'cron',
      agent: 'reviewer',
      schedule: '0 9 * * *',
      timezone: 'Asia/Tokyo',
      missed: 'skip',
      task: 'Morning review',
    });
    expect(tokyo.status).toBe(201);
    // 09:00 in Tokyo is 00:00 UTC.
    const next = new Date(tokyo.body.trigger.nextFireAt ?? 0);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([0, 0]);

    // Missed by an hour while no scheduler ran: `skip` advances without a run.
    await h.agentOs.store.query(
      "UPDATE triggers SET next_fire_at = date_trunc('second', now()) - interval '1 hour' WHERE id = $1",
      [tokyo.body.trigger.id],
    );
    const before = (await runsOf('reviewer')).length;
    expect(await fireDueCronTriggers(h.agentOs.kernel)).toEqual([]);
    expect(await runsOf('reviewer')).toHaveLength(before);
    const { rows } = await h.agentOs.store.query<{ next_fire_at: Date }>(
      'SELECT next_fire_at FROM triggers WHERE id = $1',
      [tokyo.body.trigger.id],
    );
    expect(rows[0]!.next_fire_at.getTime()).toBeGreaterThan(Date.now());
  });
});
