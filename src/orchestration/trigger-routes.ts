import type { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../agents/agent-repo.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RunRecord } from '../kernel/run-record.ts';
import { createRun, getRun } from '../kernel/run-repo.ts';
import { looseObject } from '../openapi/common-schemas.ts';
import { loadSecretBox, type SecretBox } from '../secrets/secret-box.ts';
import type { AppEnv } from '../server/app-env.ts';
import { defineRoute } from '../server/define-route.ts';
import { parseWith } from '../server/validate.ts';
import { nextFireAt } from './orchestration-ticker.ts';
import {
  createTrigger,
  listTriggers,
  matchesFilter,
  reserveFiring,
  type Trigger,
  verifiedTrigger,
} from './trigger-repo.ts';

const agent = z.string().min(1).max(200);
const dailyLimit = z.number().int().min(1).max(1_000_000).default(1_000);
const createBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    agent,
    filter: z.strictObject({ path: z.string().min(1).max(500), equals: z.unknown() }).optional(),
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

const deliveryHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,100}$/, 'printable ASCII without spaces, at most 100 characters')
  .optional();

const MAX_PAYLOAD_BYTES = 256 * 1024;

function secretBoxFor(kernel: Kernel): () => SecretBox {
  let box: SecretBox | undefined;
  return () => {
    box ??= loadSecretBox(kernel.config.home);
    return box;
  };
}

/** `POST /api/triggers` (builder+): a webhook, cron or event trigger whose runs act on behalf of its creator. */
export function triggerRoutes(kernel: Kernel, api: Hono<AppEnv>): void {
  const box = secretBoxFor(kernel);
  defineRoute(
    api,
    {
      method: 'post',
      path: '/triggers',
      summary: 'Create a webhook, cron or event trigger',
      tags: ['orchestration'],
      action: 'triggers.manage',
      body: createBody,
      responses: {
        201: {
          description: 'The trigger (a webhook also gets its secret and URL, once)',
          schema: looseObject,
        },
      },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const target = await getAgent(kernel.store, principal.workspaceId, body.agent);
      const common = {
        workspaceId: principal.workspaceId,
        agentId: target.id,
        ownerUserId: principal.userId,
        dailyLimit: body.dailyLimit,
      };
      if (body.kind === 'event') {
        const source = await getAgent(kernel.store, principal.workspaceId, body.source);
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
      const created = await createTrigger(kernel.store, box(), { ...common, filter });
      // The secret is shown once: only its sealed form is kept.
      return c.json({ ...created, url: `/hooks/${created.trigger.id}` }, 201);
    },
  );
  defineRoute(
    api,
    {
      method: 'get',
      path: '/triggers',
      summary: 'List triggers',
      tags: ['orchestration'],
      responses: { 200: { description: 'The triggers', schema: looseObject } },
    },
    async (c) => c.json({ triggers: await listTriggers(kernel.store, c.get('principal').workspaceId) }),
  );
}

async function findRunByKey(kernel: Kernel, trigger: Trigger, key: string): Promise<RunRecord | undefined> {
  const { rows } = await kernel.store.query<{ id: string }>(
    'SELECT id FROM runs WHERE workspace_id = $1 AND idempotency_key = $2',
    [trigger.workspaceId, key],
  );
  return rows[0] === undefined ? undefined : getRun(kernel.store, trigger.workspaceId, rows[0].id);
}

/**
 * The public `POST /hooks/:triggerId`: a body signed with the trigger's secret starts a run of its agent on
 * behalf of its owner, with the payload as the task. `X-AgentOS-Delivery` makes a redelivery start no second run.
 */
export function mountWebhooks(app: Hono<AppEnv>, kernel: Kernel): void {
  const box = secretBoxFor(kernel);
  app.post('/hooks/:triggerId', async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length > MAX_PAYLOAD_BYTES)
      throw new AgentOsError('request.invalid', 'The payload is over 256 KB');
    const trigger = await verifiedTrigger(
      kernel.store,
      box(),
      c.req.param('triggerId'),
      raw,
      c.req.header('x-agentos-signature'),
    );
    const delivery = parseWith(
      deliveryHeader,
      c.req.header('x-agentos-delivery'),
      'X-AgentOS-Delivery header',
    );
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AgentOsError('request.malformed_json', 'The webhook payload is not JSON');
    }
    if (!matchesFilter(trigger.filter, payload)) return c.json({ run: null, filtered: true }, 200);
    const idempotencyKey = delivery === undefined ? undefined : `hook:${trigger.id}:${delivery}`;
    // A redelivery answers with the run it started and does not count against the limit.
    const earlier =
      idempotencyKey === undefined ? undefined : await findRunByKey(kernel, trigger, idempotencyKey);
    if (earlier !== undefined) return c.json({ run: earlier }, 200);
    if (!(await reserveFiring(kernel.store, trigger))) {
      throw new AgentOsError('trigger.limit_reached', `Trigger ${trigger.id} reached its daily limit`);
    }
    const agent = await getAgent(kernel.store, trigger.workspaceId, trigger.agentId);
    const run = await createRun(kernel.store, {
      workspaceId: trigger.workspaceId,
      agentId: agent.id,
      agentVersion: agent.version,
      userId: trigger.ownerUserId,
      // Content from outside: the run is tainted from its first call, so the policy gate treats it so.
      input: { task: `Webhook payload:\n${raw.toString('utf8')}`, untrusted: true },
      priority: 'standard',
      idempotencyKey,
    });
    kernel.signals.workQueued();
    return c.json({ run }, 202);
  });
}
