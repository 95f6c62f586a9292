import { afterEach, describe, expect, it } from 'vitest';
import { schedulerConfigSchema } from '../../src/core/config/scheduler-config.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { LlmScheduler } from '../../src/plugins/scheduler/llm-scheduler.ts';
import {
  listSchedulerMembers,
  SchedulerMembership,
} from '../../src/plugins/scheduler/scheduler-membership.ts';
import { storeTargets } from '../support/test-stores.ts';

describe.each(storeTargets())('scheduler limits shared through the $kind store', (target) => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  const scheduler = () =>
    new LlmScheduler(
      createModelRegistry({ compatible: [{ name: 'sim', baseURL: 'http://127.0.0.1:9/v1' }] }),
      schedulerConfigSchema.parse({ lanes: { sim: { concurrency: 16, rpm: 300 } } }),
    );

  it('splits each lane among the live members and takes it back when one leaves or goes stale', async () => {
    store = await target.open();
    const a = scheduler();
    const b = scheduler();
    a.laneFor('sim:m');
    b.laneFor('sim:m');
    const memberA = new SchedulerMembership(store, a, {
      memberId: 'worker-a',
      intervalMs: 60_000,
      staleMs: 300,
    });
    const memberB = new SchedulerMembership(store, b, {
      memberId: 'worker-b',
      intervalMs: 60_000,
      staleMs: 300,
    });
    await memberA.start();
    await memberB.start();
    await memberA.heartbeat();
    expect(a.snapshot()[0]?.limits).toEqual({ concurrency: 8, rpm: 150, tpm: null });
    expect(b.snapshot()[0]?.limits).toEqual({ concurrency: 8, rpm: 150, tpm: null });
    expect((await listSchedulerMembers(store)).map((m) => m.memberId)).toEqual(['worker-a', 'worker-b']);

    await memberB.stop();
    await memberA.heartbeat();
    expect(a.snapshot()[0]?.limits.concurrency).toBe(16);

    // A member that stops heartbeating (a crashed process) is dropped after staleMs.
    await memberB.heartbeat();
    await memberA.heartbeat();
    expect(a.snapshot()[0]?.limits.concurrency).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await memberA.heartbeat();
    expect(a.snapshot()[0]?.limits.concurrency).toBe(16);
    await memberA.stop();
    a.close();
    b.close();
  });
});
