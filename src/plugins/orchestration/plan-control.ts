import type { Kernel } from '../../core/kernel/kernel.ts';
import { cancelPlan, type NewPlan, type PlanRecord, submitPlan } from './plan-repo.ts';

/** What starting and stopping a plan needs from the kernel: the store, the tools it checks, the controls. */
export type PlanKernel = Pick<Kernel, 'store' | 'tools' | 'runs' | 'plans'>;

/** Checks and creates a plan (submitPlan), then wakes the plan executor so its first nodes start at once. */
export async function startPlan(
  kernel: Pick<PlanKernel, 'store' | 'tools' | 'runs'>,
  plan: NewPlan & { grantedTools?: readonly string[] },
): Promise<PlanRecord> {
  const created = await submitPlan(kernel.store, kernel.tools, plan);
  kernel.runs.queued();
  return created;
}

/**
 * Cancels a plan that has not finished (cancelPlan), then stops the runs of its running nodes and tells the
 * plan's waiters; returns the cancelled plan.
 */
export async function stopPlan(kernel: PlanKernel, workspaceId: string, planId: string): Promise<PlanRecord> {
  const { plan, cancelledRunIds } = await cancelPlan(kernel.store, workspaceId, planId);
  kernel.runs.cancelled(cancelledRunIds);
  kernel.plans.changed(plan.id);
  return plan;
}
