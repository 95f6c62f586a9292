import { Hono } from 'hono';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { listSchedulerMembers } from '../../scheduler/scheduler-membership.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

/** The scheduler state of every live worker process (queues, waits, in flight, 429s), as each last reported it. */
export function schedulerRoutes({ store }: Pick<RouteDeps, 'store'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/scheduler',
      resource: 'workspace',
      summary: "The LLM scheduler's queues, limits and members",
      tags: ['scheduler'],
      action: 'scheduler.read',
      responses: { 200: { description: 'The scheduler status', schema: looseObject } },
    },
    async (c) => {
      const members = await listSchedulerMembers(store);
      const { rows } = await store.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM runs WHERE status IN ('queued', 'running', 'paused') GROUP BY status",
      );
      const runs = {
        queued: 0,
        running: 0,
        paused: 0,
        ...Object.fromEntries(rows.map((row) => [row.status, row.n])),
      };
      return c.json({ at: new Date().toISOString(), runs, members });
    },
  );
  return api;
}
