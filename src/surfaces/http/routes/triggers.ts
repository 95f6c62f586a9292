import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { nextFireAt } from '../../../plugins/orchestration/orchestration-ticker.ts';
import { triggersUserSees, visibleAgent } from '../../../plugins/orchestration/trigger-access.ts';
import { createTrigger, listTriggers } from '../../../plugins/orchestration/trigger-repo.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { createdTriggerSchema, triggerListSchema } from './trigger-schemas.ts';
import { secretBoxFor } from './webhooks.ts';

const agent = z.string().min(1).max(200);
const dailyLimit = z.number().int().min(1).max(1_000_000).default(1_000);
const createBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    agent,
    filter: z.strictObject({ path: z.string().min(1).max(500), equals: z.unknown() }).optional(),
    /**
     * How deliveries are signed: Standard Webhooks (the default; secret `whsec_…`), or the body-only
     * `X-AgentOS-Signature: sha256=<hex>` with a required `X-AgentOS-Delivery` id.
     */
    signature: z.enum(['standard-webhooks', 'hmac-sha256-body']).default('standard-webhooks'),
    dailyLimit,
  }),
  z.strictObject({
    kind: z.literal('cron'),
    agent,
    /** croner syntax (5 or 6 fields), read in `timezone`. */
    schedule: z.string().min(1).max(200),
    task: z.string().min(1).max(200_000),
    timezone: z.string().min(1).max(100).default('UTC'),
    /** Firings missed while no scheduler ran: one catch-up run, or none. */
    missed: z.enum(['run_once', 'skip']).default('run_once'),
    dailyLimit,
  }),
  z.strictObject({
    kind: z.literal('event'),
    agent,
    /** The agent whose finished runs fire the trigger. */
    source: agent,
    on: z
      .array(z.enum(['succeeded', 'failed', 'cancelled', 'budget_exceeded']))
      .min(1)
      .default(['succeeded']),
    /** The task; {{run.id}}, {{run.status}} and {{run.output}} are replaced from the finished run. */
    task: z.string().min(1).max(200_000),
    dailyLimit,
  }),
]);

/**
 * `POST /api/triggers` (builder+): a webhook, cron or event trigger whose runs act on behalf of its creator,
 * who must see every agent it names (else the same 404 as a missing agent).
 */
export function triggerRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const box = secretBoxFor(kernel);
  defineRoute(
    api,
    {
      method: 'post',
      path: '/triggers',
      resource: 'trigger',
      summary: 'Create a webhook, cron or event trigger',
      tags: ['orchestration'],
      action: 'triggers.manage',
      body: createBody,
      responses: {
        201: {
          description: 'The trigger (a webhook also gets its secret and URL, once)',
          schema: createdTriggerSchema,
        },
      },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const target = await visibleAgent(kernel.store, principal.workspaceId, principal.userId, body.agent);
      const common = {
        workspaceId: principal.workspaceId,
        agentId: target.id,
        ownerUserId: principal.userId,
        dailyLimit: body.dailyLimit,
      };
      if (body.kind === 'event') {
        const source = await visibleAgent(kernel.store, principal.workspaceId, principal.userId, body.source);
        if (source.id === target.id) {
          throw new AgentOsError(
            'request.invalid',
            'An event trigger may not start the agent whose runs fire it',
          );
        }
        const event = { sourceAgentId: source.id, onStatuses: body.on, task: body.task };
        const created = await createTrigger(kernel.store, box(), { ...common, filter: null, event });
        return c.json({ trigger: created.trigger }, 201);
      }
      if (body.kind === 'cron') {
        const cron = {
          schedule: body.schedule,
          task: body.task,
          timezone: body.timezone,
          missed: body.missed,
          nextFireAt: nextFireAt(body.schedule, new Date(), body.timezone),
        };
        const created = await createTrigger(kernel.store, box(), { ...common, filter: null, cron });
        return c.json({ trigger: created.trigger }, 201);
      }
      const filter =
        body.filter === undefined ? null : { path: body.filter.path, equals: body.filter.equals };
      const created = await createTrigger(kernel.store, box(), {
        ...common,
        filter,
        signature: body.signature,
      });
      // The secret is shown once: only its sealed form is kept.
      return c.json({ ...created, url: `/hooks/${created.trigger.id}` }, 201);
    },
  );
  defineRoute(
    api,
    {
      method: 'get',
      path: '/triggers',
      resource: 'trigger',
      summary: 'List triggers',
      tags: ['orchestration'],
      responses: { 200: { description: 'The triggers', schema: triggerListSchema } },
    },
    async (c) => {
      const { workspaceId, userId } = c.get('principal');
      const all = await listTriggers(kernel.store, workspaceId);
      return c.json({ triggers: await triggersUserSees(kernel.store, workspaceId, userId, all) });
    },
  );
  return api;
}
