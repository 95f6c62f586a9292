import { describe, expect, it } from 'vitest';
import { repeatEvery } from './clock.ts';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires due timers in order of due time, each at its own moment, and only when advanced', () => {
    const clock = new ManualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.timer(30, () => fired.push(['b', clock.now()]));
    clock.timer(10, () => fired.push(['a', clock.now()]));
    clock.timer(30, () => fired.push(['c', clock.now()]));
    expect(fired).toEqual([]);
    expect(clock.advance(29)).toBe(1);
    expect(fired).toEqual([['a', 1_010]]);
    expect(clock.now()).toBe(1_029);
    clock.advance(1);
    expect(fired).toEqual([
      ['a', 1_010],
      ['b', 1_030],
      ['c', 1_030],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels a timer, and fires timers set by a callback within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const cancel = clock.timer(5, () => fired.push(-1));
    cancel();
    clock.timer(5, () => clock.timer(5, () => fired.push(clock.now())));
    clock.advance(20);
    expect(fired).toEqual([10]);
    expect(() => clock.advance(-1)).toThrow(/does not go back/);
  });

  it('repeats every interval until stopped', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const stop = repeatEvery(clock, 100, () => ticks.push(clock.now()));
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    stop();
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pendingTimers).toBe(0);
  });
});
