import type { BackgroundContext } from '../../core/kernel/kernel-plugin.ts';
import { type BackgroundService, PeriodicTask } from '../../core/time/periodic-task.ts';
import { orchestrationTick } from './orchestration-ticker.ts';
import { PlanExecutor } from './plan-executor.ts';

/** How often a worker fires due cron and event triggers and expires overdue questions. */
export const ORCHESTRATION_TICK_MS = 5_000;

/** Orchestration's background work: the trigger and question tick, and the plan executor. */
export function orchestrationBackground({ kernel, log }: BackgroundContext): BackgroundService[] {
  return [
    new PeriodicTask(
      'orchestration tick',
      ORCHESTRATION_TICK_MS,
      async () => {
        await orchestrationTick(kernel);
        return undefined;
      },
      log,
    ),
    new PlanExecutor(kernel, { log }),
  ];
}
