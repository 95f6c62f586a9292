import { Hono } from 'hono';
import { z } from 'zod';
import { listSchedulerMembers } from '../../../plugins/scheduler/scheduler-membership.ts';
import { timestamp } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const laneSchema = z.object({
  lane: z.string().meta({ description: 'A provider or a model, with its own limits' }),
  limits: z.object({ concurrency: z.number(), rpm: z.number().nullable(), tpm: z.number().nullable() }),
  inFlight: z.number(),
  queued: z.object({ interactive: z.number(), standard: z.number(), background: z.number() }),
  backlogByWorkspace: z.record(z.string(), z.number()),
  pausedForMs: z.number(),
  windowRequests: z.number(),
  windowTokens: z.number(),
  dispatched: z.number(),
  rateLimited: z.number(),
  retried: z.number(),
  failed: z.number(),
  avgWaitMs: z.number(),
  maxWaitMs: z.number(),
});

const schedulerStatus = z
  .object({
    at: timestamp,
    runs: z.object({ queued: z.number().int(), running: z.number().int(), paused: z.number().int() }),
    members: z.array(z.object({ memberId: z.string(), heartbeatAt: timestamp, lanes: z.array(laneSchema) })),
  })
  .meta({ id: 'SchedulerStatus' });

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
      responses: { 200: { description: 'The scheduler status', schema: schedulerStatus } },
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
