/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

/**
 * Where the scheduler, the worker and scheduler membership read the time and set their timers, so
 * that tests can drive them with a manual clock instead of waiting on the wall clock.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /**
   * Calls `fn` once after `ms`. A timer does not keep the process alive unless `keepAlive` is set
   * (the worker's timers are what keep a worker-only process running).
   */
  timer(ms: number, fn: () => void, options?: { keepAlive?: boolean }): CancelTimer;
}

/** The real clock: `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  timer: (ms, fn, options) => {
    const handle = setTimeout(fn, ms);
    if (options?.keepAlive !== true) handle.unref();
    return () => clearTimeout(handle);
  },
};

/** Calls `fn` every `ms` on `clock` (the first call after `ms`) until the returned function is called. */
export function repeatEvery(
  clock: Clock,
  ms: number,
  fn: () => void,
  options?: { keepAlive?: boolean },
): CancelTimer {
  let cancel: CancelTimer = () => {};
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    // Re-armed before `fn` runs, so a slow or throwing `fn` keeps the cadence of setInterval.
    cancel = clock.timer(ms, tick, options);
    fn();
  };
  cancel = clock.timer(ms, tick, options);
  return () => {
    stopped = true;
    cancel();
  };
}
