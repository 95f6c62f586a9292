import type { KernelSignals } from './run-events.ts';

/**
 * The wake-up for plans. Plans live in orchestration's tables; the kernel only carries the signal, so the
 * code that writes a plan's state (created, advanced, cancelled) says so here once its transaction is done,
 * and create_plan's waiter re-reads the plan at once instead of at its next poll.
 */
export class PlanNotices {
  readonly #signals: KernelSignals;

  constructor(signals: KernelSignals) {
    this.#signals = signals;
  }

  /** The plan was created, advanced or ended: its waiters re-read it. */
  changed(planId: string): void {
    this.#signals.planChanged(planId);
  }
}
