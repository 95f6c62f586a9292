import { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../../../core/agents/agent-repo.ts';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import type { RunRecord } from '../../../core/kernel/run-record.ts';
import { getRun } from '../../../core/kernel/run-repo.ts';
import { loadSecretBox, type SecretBox } from '../../../core/secrets/secret-box.ts';
import { readLimitedBody } from '../../../plugins/orchestration/limited-body.ts';
import { assertOwnerMayFire, clearRefusal } from '../../../plugins/orchestration/trigger-access.ts';
import {
  matchesFilter,
  reserveFiring,
  type Trigger,
  webhookTrigger,
} from '../../../plugins/orchestration/trigger-repo.ts';
import {
  DEFAULT_WEBHOOK_RATE,
  WebhookRateLimiter,
} from '../../../plugins/orchestration/webhook-rate-limit.ts';
import {
  verifyBodySignature,
  verifyStandardWebhook,
} from '../../../plugins/orchestration/webhook-signature.ts';
import { parseWith } from '../../openapi/validate.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { errorResponse } from '../error-response.ts';

export const MAX_PAYLOAD_BYTES = 256 * 1024;

const deliveryHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,100}$/, 'printable ASCII without spaces, at most 100 characters')
  .optional();

export function secretBoxFor(kernel: Kernel): () => SecretBox {
  let box: SecretBox | undefined;
  return () => {
    box ??= loadSecretBox(kernel.config.home);
    return box;
  };
}

async function findRunByKey(kernel: Kernel, trigger: Trigger, key: string): Promise<RunRecord | undefined> {
  const { rows } = await kernel.store.query<{ id: string }>(
    'SELECT id FROM runs WHERE workspace_id = $1 AND idempotency_key = $2',
    [trigger.workspaceId, key],
  );
  return rows[0] === undefined ? undefined : getRun(kernel.store, trigger.workspaceId, rows[0].id);
}

/** Checks the delivery's signature by the trigger's scheme; returns its delivery id (the deduplication key). */
function verifiedDeliveryId(
  trigger: Trigger,
  secret: string,
  header: (name: string) => string | undefined,
  raw: Buffer,
): string {
  if (trigger.signature === 'standard-webhooks') {
    const headers = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
    };
    return verifyStandardWebhook(secret, headers, raw);
  }
  verifyBodySignature(secret, header('x-agentos-signature'), raw);
  // The body signature alone lets a captured delivery be replayed: only an id'd, deduplicated one is taken.
  const delivery = parseWith(deliveryHeader, header('x-agentos-delivery'), 'X-AgentOS-Delivery header');
  if (delivery === undefined) {
    throw new AgentOsError(
      'webhook.delivery_id_required',
      'A trigger signed with hmac-sha256-body needs an X-AgentOS-Delivery id on every delivery',
    );
  }
  return delivery;
}

/**
 * The public `POST /hooks/:triggerId`: a signed delivery starts a run of the trigger's agent on behalf of its
 * owner, with the payload as the task. Cheapest refusals first: the per-trigger rate (429), the size (413,
 * while streaming), the signature (401), the owner's access to the agent (403); a delivery id seen before
 * answers with the run it started.
 */
export function webhookRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const box = secretBoxFor(kernel);
  const limiter = new WebhookRateLimiter(kernel.config.orchestration?.webhookRate ?? DEFAULT_WEBHOOK_RATE);
  app.post('/hooks/:triggerId', async (c) => {
    const triggerId = c.req.param('triggerId');
    const allowed = limiter.take(triggerId);
    if (!allowed.ok) {
      c.header('retry-after', String(allowed.retryAfterSeconds));
      const error = new AgentOsError('trigger.rate_limited', `Too many deliveries to trigger ${triggerId}`, {
        retryAfterSeconds: allowed.retryAfterSeconds,
      });
      return errorResponse(c, error);
    }
    let raw: Buffer;
    try {
      raw = await readLimitedBody(c.req.raw, MAX_PAYLOAD_BYTES);
    } catch (error) {
      if (!(error instanceof AgentOsError)) throw error;
      // The sender may still be sending: close the connection rather than read the rest.
      c.header('connection', 'close');
      return errorResponse(c, error);
    }
    const { trigger, secret } = await webhookTrigger(kernel.store, box(), triggerId);
    const delivery = verifiedDeliveryId(trigger, secret, (name) => c.req.header(name), raw);
    await assertOwnerMayFire(kernel.store, trigger);
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AgentOsError('request.malformed_json', 'The webhook payload is not JSON');
    }
    if (!matchesFilter(trigger.filter, payload)) return c.json({ run: null, filtered: true }, 200);
    const idempotencyKey = `hook:${trigger.id}:${delivery}`;
    // A redelivery (or a replay) answers with the run it started and does not count against the limit.
    const earlier = await findRunByKey(kernel, trigger, idempotencyKey);
    if (earlier !== undefined) return c.json({ run: earlier }, 200);
    if (!(await reserveFiring(kernel.store, trigger))) {
      throw new AgentOsError('trigger.limit_reached', `Trigger ${trigger.id} reached its daily limit`);
    }
    const agent = await getAgent(kernel.store, trigger.workspaceId, trigger.agentId);
    const run = await kernel.runs.enqueue({
      workspaceId: trigger.workspaceId,
      agentId: agent.id,
      agentVersion: agent.version,
      userId: trigger.ownerUserId,
      // Content from outside: the run is tainted from its first call, so the policy gate treats it so.
      input: { task: `Webhook payload:\n${raw.toString('utf8')}`, untrusted: true },
      priority: 'standard',
      idempotencyKey,
    });
    await clearRefusal(kernel.store, trigger);
    return c.json({ run }, 202);
  });
  return app;
}
