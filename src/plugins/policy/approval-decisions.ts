import type { Kernel } from '../../core/kernel/kernel.ts';
import { type Approval, type Decider, decideApproval, expireDueApprovals } from './approval-repo.ts';

/** What a decision needs from the kernel: the store it writes, and the run control that wakes the runs. */
export type ApprovalKernel = Pick<Kernel, 'store' | 'runs'>;

/** Ends the workspace's overdue approvals; their runs resume (the call refused as expired) at once. */
export async function expireOverdueApprovals(kernel: ApprovalKernel, workspaceId: string): Promise<void> {
  const resumed = await expireDueApprovals(kernel.store, workspaceId);
  if (resumed.length > 0) kernel.runs.queued(resumed);
}

/**
 * A person's decision on a pending approval (see decideApproval for who may decide), written and then its
 * run woken, so a local worker resumes it at once.
 */
export async function decidePendingApproval(
  kernel: ApprovalKernel,
  decider: Decider,
  approvalId: string,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<Approval> {
  const { approval, resumedRunId } = await decideApproval(kernel.store, decider, approvalId, decision);
  if (resumedRunId !== undefined) kernel.runs.queued([resumedRunId]);
  return approval;
}
