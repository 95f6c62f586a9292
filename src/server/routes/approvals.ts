import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.ts';
import { decideApproval, expireDueApprovals, listApprovals } from '../../policy/approval-repo.ts';
import {
  loadPolicy,
  type PolicySnapshot,
  policySettingsSchema,
  savePolicy,
} from '../../policy/policy-settings.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';
import { cedarPolicyRoutes } from './cedar-policies.ts';

const listQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'denied', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const denyBody = z.strictObject({ reason: z.string().min(1).max(2_000) });

/** Approvals of tool calls the policy gate asked about, and the workspace's policy settings. */
export function approvalRoutes(kernel: Kernel, api: Hono<AppEnv>): void {
  const wake = (runIds: readonly string[]) => {
    if (runIds.length === 0) return;
    kernel.signals.workQueued();
    for (const id of runIds) kernel.signals.runChanged(id);
  };

  api.get('/approvals', async (c) => {
    const query = readQuery(c, listQuery);
    const principal = c.get('principal');
    wake(await expireDueApprovals(kernel.store, principal.workspaceId));
    const approvals = await listApprovals(kernel.store, principal.workspaceId, {
      status: query.status,
      // Everyone sees the approvals of their own runs; admins see the workspace's.
      userId: principal.role === 'admin' ? undefined : principal.userId,
      limit: query.limit,
    });
    return c.json({ approvals });
  });

  const decide = (approve: boolean) => async (c: Context<AppEnv>) => {
    const principal = c.get('principal');
    await c.get('authorizer').assert('approvals.decide');
    const decision = approve
      ? ({ approve: true } as const)
      : ({ approve: false, reason: (await readJson(c, denyBody)).reason } as const);
    wake(await expireDueApprovals(kernel.store, principal.workspaceId));
    const { approval, resumedRunId } = await decideApproval(
      kernel.store,
      { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
      c.req.param('id') ?? '',
      decision,
    );
    wake(resumedRunId === undefined ? [] : [resumedRunId]);
    return c.json({ approval });
  };
  api.post('/approvals/:id/approve', decide(true));
  api.post('/approvals/:id/deny', decide(false));

  const publicSnapshot = ({ settings, version }: PolicySnapshot) => ({ settings, version });
  api.get('/policy', async (c) =>
    c.json(publicSnapshot(await loadPolicy(kernel.store, c.get('principal').workspaceId))),
  );
  api.put('/policy', authorizeAction('policies.manage'), async (c) => {
    const body = await readJson(c, policySettingsSchema);
    return c.json(publicSnapshot(await savePolicy(kernel.store, c.get('principal').workspaceId, body)));
  });
  cedarPolicyRoutes(kernel.store, api);
}
