import type { CancelTimer, Clock } from './clock.ts';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to (tests). `advance(ms)` fires every timer that falls due on
 * the way, in order of due time (then of creation), each with `now()` set to its due time; timers
 * set by a firing callback fire too if they fall due within the same advance.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /** Starts at `startMs` (default 2026-01-01T00:00:00Z). */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  timer(ms: number, fn: () => void): CancelTimer {
    const pending: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(pending);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== pending);
    };
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers synchronously; returns how many fired. */
  advance(ms: number): number {
    if (ms < 0) throw new Error('A clock does not go back');
    const until = this.#now + ms;
    let fired = 0;
    for (;;) {
      const next = this.#nextDue(until);
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
      fired++;
    }
    this.#now = until;
    return fired;
  }

  #nextDue(until: number): PendingTimer | undefined {
    let next: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.at <= until && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)))
        next = t;
    }
    return next;
  }
}
