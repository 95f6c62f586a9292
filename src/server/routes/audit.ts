import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { chainPendingAudit } from '../../audit/audit-chainer.ts';
import { listAudit } from '../../audit/audit-log.ts';
import { localAuditPublicKey } from '../../audit/audit-signer.ts';
import { exportAuditJsonl, verifyAudit } from '../../audit/verify-audit.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readQuery } from '../validate.ts';

const listQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  action: z.string().min(1).max(200).optional(),
});

const exportQuery = listQuery.omit({ limit: true });

/** The audit log, for admins: a workspace's entries, the whole chain's verification, a JSONL export. */
export function auditRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const { store } = deps;

  api.get('/audit', authorizeAction('audit.read'), async (c) => {
    const query = readQuery(c, listQuery);
    await chainPendingAudit(store);
    const entries = await listAudit(store, { ...query, workspaceId: c.get('principal').workspaceId });
    return c.json({ entries, next: entries.length === query.limit ? (entries.at(-1)?.seq ?? null) : null });
  });

  api.get('/audit/verify', authorizeAction('audit.verify'), async (c) => {
    const trusted = localAuditPublicKey(deps.config.home);
    await chainPendingAudit(store);
    return c.json(await verifyAudit(store, { publicKeys: trusted === undefined ? undefined : [trusted] }));
  });

  api.get('/audit/export', authorizeAction('audit.read'), (c) => {
    const query = readQuery(c, exportQuery);
    const workspaceId = c.get('principal').workspaceId;
    c.header('content-type', 'application/x-ndjson');
    return stream(c, async (out) => {
      await chainPendingAudit(store);
      await exportAuditJsonl(store, out, { ...query, workspaceId });
    });
  });
}
