import { existsSync } from 'node:fs';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { chainPendingAudit } from '../../../core/audit-log/audit-chainer.ts';
import { pageAudit } from '../../../core/audit-log/audit-log.ts';
import { auditAnchorPath, readAnchor } from '../../../plugins/audit/audit-anchor.ts';
import { localAuditPublicKey } from '../../../plugins/audit/audit-signer.ts';
import { exportAuditJsonl, verifyAudit } from '../../../plugins/audit/verify-audit.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { auditNames } from '../audit-names.ts';
import { auditPageSchema } from '../audit-page-schema.ts';

const seq = z.coerce.number().int().max(Number.MAX_SAFE_INTEGER);
const filterQuery = {
  after: seq.min(0).optional().meta({ description: 'Only entries after this seq, oldest first' }),
  action: z.string().min(1).max(200).optional(),
};

const listQuery = z
  .strictObject({
    ...filterQuery,
    before: seq
      .min(1)
      .optional()
      .meta({ description: 'Only entries before this seq (older pages), newest first' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((query) => query.before === undefined || query.after === undefined, {
    message: 'give before (older entries, newest first) or after (newer entries, oldest first), not both',
    path: ['before'],
  });

const exportQuery = z.strictObject(filterQuery);

/** The audit log, for admins: a workspace's entries, the whole chain's verification, a JSONL export. */
export function auditRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/audit',
      resource: 'audit',
      summary: "List the workspace's audit entries, a page at a time",
      description:
        'Newest first, `limit` at a time; pass `next` as `before` for the next (older) page. With `after` the ' +
        'log is read forward instead, oldest first, and `next` goes back as `after`. `names` holds display ' +
        'names of the actors and resources on the page, keyed `<type>:<id>`, for what the caller may see.',
      tags: ['audit'],
      action: 'audit.read',
      query: listQuery,
      responses: {
        200: {
          description: 'One page of entries, the cursor of the next and names',
          schema: auditPageSchema,
        },
      },
    },
    async (c, { query }) => {
      await chainPendingAudit(store);
      const principal = c.get('principal');
      const page = await pageAudit(store, { ...query, workspaceId: principal.workspaceId });
      const last = page.entries.at(-1);
      return c.json({
        entries: page.entries,
        next: page.hasMore && last !== undefined ? last.seq : null,
        hasMore: page.hasMore,
        names: await auditNames(store, { principal, authorizer: c.get('authorizer') }, page.entries),
      });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/audit/verify',
      resource: 'audit',
      summary:
        "Verify the hash chain and signed checkpoints of the whole log, and against this server's anchor file",
      tags: ['audit'],
      action: 'audit.verify',
      responses: { 200: { description: 'The verification report', schema: looseObject } },
    },
    async (c) => {
      const trusted = localAuditPublicKey(deps.config.home);
      const anchorFile = auditAnchorPath(deps.config);
      const anchor = existsSync(anchorFile) ? await readAnchor(anchorFile) : undefined;
      await chainPendingAudit(store);
      return c.json(
        await verifyAudit(store, { publicKeys: trusted === undefined ? undefined : [trusted], anchor }),
      );
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/audit/export',
      resource: 'audit',
      summary: 'Export audit entries as JSON lines',
      tags: ['audit'],
      action: 'audit.read',
      query: exportQuery,
      responses: { 200: { description: 'One entry per line', contentType: 'application/x-ndjson' } },
    },
    (c, { query }) => {
      const workspaceId = c.get('principal').workspaceId;
      c.header('content-type', 'application/x-ndjson');
      return stream(c, async (out) => {
        await chainPendingAudit(store);
        await exportAuditJsonl(store, out, { ...query, workspaceId });
      });
    },
  );
  return api;
}
