// The arithmetic of the kernel benchmark's new figures: heap slope, goals, and runs taking turns.
import { describe, expect, it } from 'vitest';
import { goalsMet } from '../../bench/kernel/goals.ts';
import { slope } from '../../bench/kernel/soak.ts';
import { headline } from '../../bench/kernel/summary.ts';
import { runEach } from '../../bench/kernel/workload.ts';

describe('kernel bench figures', () => {
  it('slope is the least-squares bytes per run, null without two points', () => {
    expect(
      slope([
        [1_000, 50_000_000],
        [2_000, 50_100_000],
        [3_000, 50_200_000],
      ]),
    ).toBeCloseTo(100, 6);
    expect(slope([[1_000, 5]])).toBeNull();
  });

  it('added latency per step is ours minus the naive loop, judged per store', () => {
    const chain = (p50: number) => ({ 'single-chain': { stepP50Ms: p50, stepP95Ms: p50 * 2 } });
    const pglite = headline(chain(4.5), { naive: chain(1.5) });
    expect(pglite.addedStepP50Ms).toBe(3);
    expect(goalsMet(pglite, 'pglite').addedStepP50Ms).toBe(false);
    expect(goalsMet(pglite, 'postgres').addedStepP50Ms).toBe(true);
    // Two workers are a PostgreSQL goal only; an unmeasured figure is not judged.
    expect(goalsMet(pglite, 'pglite').twoWorkerRatio).toBeNull();
  });

  it('sequential runs start only once the previous one has ended', async () => {
    const events: string[] = [];
    const result = await runEach({ baseURL: '', n: 3, steps: 0, toolMs: 0, sequential: true }, async (i) => {
      events.push(`start ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${i}`);
      return true;
    });
    expect(result.failed).toBe(0);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });
});
