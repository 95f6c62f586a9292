import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimRuns } from '../../src/core/kernel/run-lease.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { getRunById } from '../../src/core/kernel/run-repo.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ManualClock } from '../../src/core/time/manual-clock.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

describe.each(storeTargets())('a worker on a manual clock, on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker | undefined;

  const submit = (task: string): Promise<RunRecord> =>
    h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'idler',
      task,
      priority: 'standard',
    });
  /** Seconds left on the run's lease, by the store's clock. */
  const leaseLeftSeconds = async (runId: string): Promise<number> => {
    const { rows } = await h.agentOs.store.query<{ left: number }>(
      'SELECT extract(epoch FROM lease_expires_at - now())::float8 AS left FROM runs WHERE id = $1',
      [runId],
    );
    return rows[0]!.left;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    await h.createAgent({ name: 'idler', instructions: 'You wait.' });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    model.requests.length = 0;
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('renews its leases every third of leaseMs on its clock, and drops a run whose lease another worker took', async () => {
    const clock = new ManualClock();
    worker = h.agentOs.kernel.startWorker({ clock, leaseMs: 30_000, pollMs: 1_000 });
    model.enqueue({ kind: 'hang' });
    const run = await submit('wait on the model');
    await eventually(() => expect(model.requests).toHaveLength(1));
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() + interval '5 seconds' WHERE id = $1",
      [run.id],
    );

    clock.advance(10_000);
    await eventually(async () => expect(await leaseLeftSeconds(run.id)).toBeGreaterThan(20));

    // The lease runs out (say the worker was paused) and another worker claims the run: attempt + 1.
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    const [taken] = await claimRuns(h.agentOs.store, 'other-worker', 60_000, 1);
    expect(taken).toMatchObject({ id: run.id, leaseOwner: 'other-worker' });
    expect(worker.activeRuns).toBe(1);
    clock.advance(10_000);
    await eventually(() => expect(worker!.activeRuns).toBe(0));
    expect(await getRunById(h.agentOs.store, run.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'other-worker',
      attempt: taken!.attempt,
    });
    await h.agentOs.kernel.runs.cancel(h.workspaceId, run.id);
  });

  it('claims a run whose dead owner let its lease lapse at its next poll, not before', async () => {
    const run = await submit('left behind');
    const [dead] = await claimRuns(h.agentOs.store, 'dead-worker', 60_000, 1);
    expect(dead?.id).toBe(run.id);
    const clock = new ManualClock();
    worker = h.agentOs.kernel.startWorker({ clock, leaseMs: 30_000, pollMs: 1_000 });
    // Idle: its first claim found nothing and it now waits on its poll and heartbeat timers.
    await eventually(() => expect(clock.pendingTimers).toBe(2));
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    expect((await getRunById(h.agentOs.store, run.id))?.leaseOwner).toBe('dead-worker');

    model.enqueue({ text: 'Picked up.' });
    clock.advance(1_000);
    const done = await h.agentOs.kernel.runs.wait(h.workspaceId, run.id, { timeoutMs: 15_000, pollMs: 20 });
    expect(done).toMatchObject({
      status: 'succeeded',
      attempt: dead!.attempt + 1,
      output: { text: 'Picked up.' },
    });
    expect(model.requests).toHaveLength(1);
  });
});
