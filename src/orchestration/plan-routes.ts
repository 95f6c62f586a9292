import type { Hono } from 'hono';
import { z } from 'zod';
import type { Kernel } from '../kernel/kernel.ts';
import type { AppEnv } from '../server/app-env.ts';
import { authorizeAction } from '../server/authorize-action.ts';
import { parseWith, readJson, readQuery } from '../server/validate.ts';
import { parsePlan } from './plan-definition.ts';
import { cancelPlan, getPlan, listPlanNodes, listPlans, submitPlan } from './plan-repo.ts';

const listQuery = z.strictObject({
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters')
  .optional();

/** Plans submitted as workflow files (builder+), read back with their nodes' runs, and cancelled. */
export function planRoutes(kernel: Kernel, api: Hono<AppEnv>): void {
  api.post('/plans', authorizeAction('plans.manage'), async (c) => {
    const body = await readJson(c, z.unknown());
    const definition = parsePlan(body);
    const idempotencyKey = parseWith(
      idempotencyKeyHeader,
      c.req.header('idempotency-key'),
      'Idempotency-Key header',
    );
    const principal = c.get('principal');
    const plan = await submitPlan(kernel.store, kernel.tools, {
      workspaceId: principal.workspaceId,
      userId: principal.userId,
      definition,
      idempotencyKey,
    });
    kernel.signals.workQueued();
    return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) }, 201);
  });

  api.get('/plans', async (c) => {
    const query = readQuery(c, listQuery);
    const plans = await listPlans(kernel.store, c.get('principal').workspaceId, query);
    return c.json({ plans });
  });

  api.get('/plans/:id', async (c) => {
    const plan = await getPlan(kernel.store, c.get('principal').workspaceId, c.req.param('id'));
    return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) });
  });

  api.post('/plans/:id/cancel', async (c) => {
    const { plan, cancelledRunIds } = await cancelPlan(
      kernel.store,
      c.get('principal').workspaceId,
      c.req.param('id'),
    );
    for (const runId of cancelledRunIds) {
      kernel.signals.cancelRequested(runId);
      kernel.signals.runChanged(runId);
    }
    kernel.signals.planChanged(plan.id);
    return c.json({ plan, nodes: await listPlanNodes(kernel.store, plan) });
  });
}
