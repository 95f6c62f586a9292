import { afterEach, describe, expect, it } from 'vitest';
import { schedulerConfigSchema } from '../../src/core/config/scheduler-config.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { ManualClock } from '../../src/core/time/manual-clock.ts';
import { LlmScheduler } from '../../src/plugins/scheduler/llm-scheduler.ts';
import {
  listSchedulerMembers,
  SchedulerMembership,
} from '../../src/plugins/scheduler/scheduler-membership.ts';
import { eventually } from '../support/eventually.ts';
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
    const db = store;
    // Heartbeats are paced by the clock; staleness is the store's now(), as across real machines.
    const clock = new ManualClock();
    const a = scheduler();
    const b = scheduler();
    a.laneFor('sim:m');
    b.laneFor('sim:m');
    const options = { intervalMs: 2_000, staleMs: 6_000, clock };
    const memberA = new SchedulerMembership(store, a, { memberId: 'worker-a', ...options });
    const memberB = new SchedulerMembership(store, b, { memberId: 'worker-b', ...options });
    const concurrencyOfA = () => a.snapshot()[0]?.limits.concurrency;
    await memberA.start();
    await memberB.start();
    expect(concurrencyOfA()).toBe(16);
    // A learns of B at its next heartbeat, one interval later.
    clock.advance(2_000);
    await eventually(() => expect(a.snapshot()[0]?.limits).toEqual({ concurrency: 8, rpm: 150, tpm: null }));
    expect(b.snapshot()[0]?.limits).toEqual({ concurrency: 8, rpm: 150, tpm: null });
    expect((await listSchedulerMembers(db)).map((m) => m.memberId)).toEqual(['worker-a', 'worker-b']);

    await memberB.stop();
    clock.advance(2_000);
    await eventually(() => expect(concurrencyOfA()).toBe(16));

    // A member that stops heartbeating (a crashed process) counts until its row is staleMs old.
    await memberB.heartbeat();
    clock.advance(2_000);
    await eventually(() => expect(concurrencyOfA()).toBe(8));
    await db.query(
      "UPDATE scheduler_members SET heartbeat_at = now() - interval '7 seconds' WHERE member_id = 'worker-b'",
    );
    clock.advance(2_000);
    await eventually(() => expect(concurrencyOfA()).toBe(16));
    expect((await listSchedulerMembers(db)).map((m) => m.memberId)).toEqual(['worker-a']);
    await memberA.stop();
    expect(clock.pendingTimers).toBe(0);
    a.close();
    b.close();
  });
});
