import { isAgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { clearRefusal, ownerRefusal, recordRefusal } from './trigger-access.ts';
import { reserveFiring, type Trigger } from './trigger-repo.ts';

export type Firing = { status: 'started'; run: RunRecord } | { status: 'refused' | 'limit_reached' };

/**
 * One cron or event firing: checks that the trigger's owner still sees every agent it names, counts the
 * firing against the daily limit, then starts the run on the owner's behalf. A firing refused — by that
 * check or by the run's own start checks (an agent deleted, a skill the owner may no longer use) — is
 * recorded on the trigger and starts nothing, so one broken trigger never stalls the ticker for the others.
 */
export async function fireTrigger(
  kernel: Kernel,
  trigger: Trigger,
  run: { task: string; untrusted: boolean; idempotencyKey: string },
): Promise<Firing> {
  const refusal = await ownerRefusal(kernel.store, trigger);
  if (refusal !== null) {
    await recordRefusal(kernel.store, trigger, refusal);
    return { status: 'refused' };
  }
  if (!(await reserveFiring(kernel.store, trigger))) return { status: 'limit_reached' };
  try {
    const started = await kernel.runs.submit({
      workspaceId: trigger.workspaceId,
      userId: trigger.ownerUserId,
      agent: trigger.agentId,
      task: run.task,
      untrusted: run.untrusted,
      priority: 'background',
      idempotencyKey: run.idempotencyKey,
    });
    await clearRefusal(kernel.store, trigger);
    return { status: 'started', run: started };
  } catch (error) {
    if (!isAgentOsError(error)) throw error;
    await recordRefusal(kernel.store, trigger, { code: error.code, message: error.message });
    return { status: 'refused' };
  }
}
