import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Principal } from '../../../core/identity/api-keys.ts';
import { startPlan, stopPlan } from '../../../plugins/orchestration/plan-control.ts';
import { parsePlan } from '../../../plugins/orchestration/plan-definition.ts';
import { getPlan, listPlanNodes, listPlans } from '../../../plugins/orchestration/plan-repo.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { planSchema, planViewSchema } from '../../openapi/plan-schemas.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const listQuery = z.strictObject({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters')
  .optional();

/** Plans submitted as workflow files (builder+), read back with their nodes' runs, and cancelled. */
export function planRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  /** A plan is its user's, like the runs it starts (admins see every plan): anyone else's does not exist. */
  const ownPlan = async (principal: Principal, planId: string) => {
    const plan = await getPlan(kernel.store, principal.workspaceId, planId);
    if (principal.role !== 'admin' && plan.userId !== principal.userId) {
      throw new AgentOsError('resource.not_found', `No plan "${planId}" in this workspace`);
    }
    return plan;
  };
  defineRoute(
    api,
    {
      method: 'post',
      path: '/plans',
      resource: 'plan',
      summary: 'Submit a plan (a workflow of agent runs)',
      tags: ['orchestration'],
      action: 'plans.manage',
      headers: z.object({ 'idempotency-key': idempotencyKeyHeader }),
      body: z.unknown().meta({ description: 'A plan definition (see plan-definition.ts): name and nodes' }),
      responses: { 201: { description: 'The plan and its nodes', schema: planViewSchema } },
    },
    async (c, { body, headers }) => {
      const definition = parsePlan(body);
      const idempotencyKey = headers['idempotency-key'];
      const principal = c.get('principal');
      const plan = await startPlan(kernel, {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        definition,
        idempotencyKey,
      });
      return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/plans',
      resource: 'plan',
      summary: 'List plans',
      tags: ['orchestration'],
      query: listQuery,
      responses: { 200: { description: 'The plans', schema: z.object({ plans: z.array(planSchema) }) } },
    },
    async (c, { query }) => {
      const principal = c.get('principal');
      const plans = await listPlans(kernel.store, principal.workspaceId, {
        ...query,
        userId: principal.role === 'admin' ? undefined : principal.userId,
      });
      return c.json({ plans });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/plans/:id',
      resource: 'plan',
      summary: 'A plan and its nodes',
      tags: ['orchestration'],
      responses: { 200: { description: 'The plan and its nodes', schema: planViewSchema } },
    },
    async (c, { params }) => {
      const plan = await ownPlan(c.get('principal'), params.id);
      return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/plans/:id/cancel',
      resource: 'plan',
      summary: 'Cancel a plan and its running nodes',
      tags: ['orchestration'],
      responses: { 200: { description: 'The cancelled plan and its nodes', schema: planViewSchema } },
    },
    async (c, { params }) => {
      await ownPlan(c.get('principal'), params.id);
      const plan = await stopPlan(kernel, c.get('principal').workspaceId, params.id);
      return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) });
    },
  );
  return api;
}
