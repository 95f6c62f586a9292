import type { Kernel } from '../../core/kernel/kernel.ts';
import { nextFireAt } from '../../core/time/cron-schedule.ts';
import { fireEventTriggers } from './event-triggers.ts';
import { expireOverdueQuestions } from './question-answers.ts';
import { fireTrigger } from './trigger-firing.ts';
import { type TriggerRow, toTrigger } from './trigger-repo.ts';

export { checkTimezone, nextFireAt } from '../../core/time/cron-schedule.ts';

/** A firing later than this is "missed" (the scheduler was down): `skip` triggers then only advance. */
export const MISSED_AFTER_MS = 60_000;

/**
 * Fires every due cron trigger once: the run's idempotency key is `cron:<trigger>:<firing time>`, created
 * before the trigger advances, so a process that dies in between (or a second process ticking at the same
 * time) finds that run instead of starting another. Firings missed while down collapse into one run
 * (`missed: run_once`, the default) or none (`skip`). A firing its owner may no longer make is recorded on
 * the trigger and skipped (the trigger still advances). Returns the run ids.
 */
export async function fireDueCronTriggers(kernel: Kernel): Promise<string[]> {
  const { rows } = await kernel.store.query<TriggerRow>(
    `SELECT * FROM triggers WHERE kind = 'cron' AND next_fire_at <= now() ORDER BY next_fire_at, id LIMIT 100`,
  );
  const started: string[] = [];
  for (const row of rows) {
    const trigger = toTrigger(row);
    const firedAt = row.next_fire_at!;
    const key = `cron:${trigger.id}:${firedAt.toISOString()}`;
    const existing = await kernel.store.query<{ id: string }>(
      'SELECT id FROM runs WHERE workspace_id = $1 AND idempotency_key = $2',
      [trigger.workspaceId, key],
    );
    const missed = Date.now() - firedAt.getTime() > MISSED_AFTER_MS;
    const fire = !(missed && trigger.missed === 'skip');
    if (fire && existing.rows[0] === undefined) {
      const firing = await fireTrigger(kernel, trigger, {
        task: trigger.task ?? '',
        untrusted: false,
        idempotencyKey: key,
      });
      if (firing.status === 'started') started.push(firing.run.id);
    }
    await kernel.store.query('UPDATE triggers SET next_fire_at = $3 WHERE id = $1 AND next_fire_at = $2', [
      trigger.id,
      firedAt,
      nextFireAt(trigger.schedule ?? '', new Date(), trigger.timezone),
    ]);
  }
  return started;
}

/**
 * The time-driven part of orchestration, run every few seconds in every worker process (a `PeriodicTask`):
 * fires due cron and event triggers (their idempotency keys make concurrent ticks harmless) and ends overdue
 * ask_human questions.
 */
export async function orchestrationTick(kernel: Kernel): Promise<void> {
  await fireDueCronTriggers(kernel);
  await fireEventTriggers(kernel);
  await expireOverdueQuestions(kernel);
}
