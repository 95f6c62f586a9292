import { z } from 'zod';
import { timestamp } from '../openapi/common-schemas.ts';

export const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: timestamp,
    workspaceId: z.string().nullable(),
    actor: z.object({
      type: z.enum(['user', 'agent', 'system']),
      id: z.string(),
      onBehalfOf: z.string().optional(),
      keyId: z.string().optional(),
    }),
    action: z.string(),
    resource: z.object({ type: z.string(), id: z.string().nullable() }),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** `GET /api/audit`: a page of entries, where the next one starts, and the names of what they refer to. */
export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  next: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'The cursor of the next page (as `before`, or `after` when reading forward)' }),
  hasMore: z.boolean(),
  names: z.record(z.string(), z.string()).meta({
    description: 'Display names keyed `<type>:<id>` as the entries spell them (`user:usr_…`, `runs:run_…`)',
  }),
});
