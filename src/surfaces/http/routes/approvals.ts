import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { decidePendingApproval, expireOverdueApprovals } from '../../../plugins/policy/approval-decisions.ts';
import { getApproval, listApprovals } from '../../../plugins/policy/approval-repo.ts';
import {
  loadPolicy,
  type PolicySnapshot,
  policySettingsSchema,
  savePolicy,
} from '../../../plugins/policy/policy-settings.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const listQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'denied', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const denyBody = z.strictObject({ reason: z.string().min(1).max(2_000) });

/** Approvals of tool calls the policy gate asked about, and the workspace's policy settings. */
export function approvalRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/approvals',
      resource: 'approval',
      summary: 'List approvals (yours; all of them for admins)',
      tags: ['approvals'],
      query: listQuery,
      responses: { 200: { description: 'The approvals', schema: looseObject } },
    },
    async (c, { query }) => {
      const principal = c.get('principal');
      await expireOverdueApprovals(kernel, principal.workspaceId);
      const approvals = await listApprovals(kernel.store, principal.workspaceId, {
        status: query.status,
        // Everyone sees the approvals of their own runs; admins see the workspace's.
        userId: principal.role === 'admin' ? undefined : principal.userId,
        limit: query.limit,
      });
      return c.json({ approvals });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/approvals/:id',
      resource: 'approval',
      summary: 'One approval: the exact tool and arguments it covers, why it was asked, and its decision',
      tags: ['approvals'],
      responses: { 200: { description: 'The approval', schema: z.object({ approval: looseObject }) } },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      await expireOverdueApprovals(kernel, principal.workspaceId);
      const approval = await getApproval(
        kernel.store,
        { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
        params.id,
      );
      return c.json({ approval });
    },
  );

  const decide = async (
    c: Context<AppEnv>,
    id: string,
    decision: { approve: true } | { approve: false; reason: string },
  ) => {
    const principal = c.get('principal');
    await expireOverdueApprovals(kernel, principal.workspaceId);
    const approval = await decidePendingApproval(
      kernel,
      { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
      id,
      decision,
    );
    return c.json({ approval });
  };
  const decided = {
    200: { description: 'The decided approval', schema: z.object({ approval: looseObject }) },
  };
  defineRoute(
    api,
    {
      method: 'post',
      path: '/approvals/:id/approve',
      resource: 'approval',
      summary: 'Approve a pending tool call; its run resumes',
      tags: ['approvals'],
      action: 'approvals.decide',
      responses: decided,
    },
    (c, { params }) => decide(c, params.id, { approve: true }),
  );
  defineRoute(
    api,
    {
      method: 'post',
      path: '/approvals/:id/deny',
      resource: 'approval',
      summary: 'Deny a pending tool call, with a reason the model sees',
      tags: ['approvals'],
      action: 'approvals.decide',
      body: denyBody,
      responses: decided,
    },
    (c, { params, body }) => decide(c, params.id, { approve: false, reason: body.reason }),
  );

  const publicSnapshot = ({ settings, version }: PolicySnapshot) => ({ settings, version });
  defineRoute(
    api,
    {
      method: 'get',
      path: '/policy',
      resource: 'policy',
      summary: "The workspace's approval policy settings",
      tags: ['approvals'],
      responses: { 200: { description: 'The settings and their version', schema: looseObject } },
    },
    async (c) => c.json(publicSnapshot(await loadPolicy(kernel.store, c.get('principal').workspaceId))),
  );
  defineRoute(
    api,
    {
      method: 'put',
      path: '/policy',
      resource: 'policy',
      summary: "Replace the workspace's approval policy settings",
      tags: ['approvals'],
      action: 'policies.manage',
      body: policySettingsSchema,
      responses: { 200: { description: 'The saved settings and their version', schema: looseObject } },
    },
    async (c, { body }) => {
      return c.json(publicSnapshot(await savePolicy(kernel.store, c.get('principal').workspaceId, body)));
    },
  );
  return api;
}
