import { z } from 'zod';
import { timestamp } from '../../openapi/common-schemas.ts';

/** The JSON shape of a trigger as the API writes it (trigger-repo.ts `Trigger`, dates as ISO strings). */
export const triggerSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    kind: z.enum(['webhook', 'cron', 'event']),
    agentId: z.string(),
    ownerUserId: z.string(),
    filter: z.object({ path: z.string(), equals: z.unknown() }).nullable(),
    dailyLimit: z.number().int(),
    schedule: z.string().nullable(),
    timezone: z.string(),
    missed: z.enum(['run_once', 'skip']),
    nextFireAt: timestamp.nullable(),
    task: z.string().nullable(),
    sourceAgentId: z.string().nullable(),
    onStatuses: z.array(z.string()).nullable(),
    signature: z.enum(['standard-webhooks', 'hmac-sha256-body']).nullable().meta({
      description: 'webhook only: how deliveries are signed',
    }),
    refusal: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .meta({ description: 'Why the last firing started no run (cleared once one does)' }),
    refusedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Trigger' });

export const createdTriggerSchema = z.object({
  trigger: triggerSchema,
  secret: z.string().nullable().optional().meta({
    description:
      'webhook only, shown once: `whsec_<base64>` (Standard Webhooks; the HMAC key is the decoded base64) or, for hmac-sha256-body, 64 hex digits used as they are',
  }),
  url: z.string().optional().meta({ description: 'webhook only: the path deliveries are POSTed to' }),
});

export const triggerListSchema = z.object({ triggers: z.array(triggerSchema) });
