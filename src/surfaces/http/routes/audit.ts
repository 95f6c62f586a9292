import { existsSync } from 'node:fs';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { chainPendingAudit } from '../../../core/audit-log/audit-chainer.ts';
import { listAudit } from '../../../core/audit-log/audit-log.ts';
import { auditAnchorPath, readAnchor } from '../../../plugins/audit/audit-anchor.ts';
import { localAuditPublicKey } from '../../../plugins/audit/audit-signer.ts';
import { exportAuditJsonl, verifyAudit } from '../../../plugins/audit/verify-audit.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const listQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  action: z.string().min(1).max(200).optional(),
});

const exportQuery = listQuery.omit({ limit: true });

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
      summary: "List the workspace's audit entries",
      tags: ['audit'],
      action: 'audit.read',
      query: listQuery,
      responses: { 200: { description: 'Entries and the cursor of the next page', schema: looseObject } },
    },
    async (c, { query }) => {
      await chainPendingAudit(store);
      const entries = await listAudit(store, { ...query, workspaceId: c.get('principal').workspaceId });
      return c.json({ entries, next: entries.length === query.limit ? (entries.at(-1)?.seq ?? null) : null });
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
