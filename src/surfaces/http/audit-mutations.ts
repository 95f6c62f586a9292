import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AuditResource } from '../../core/audit-log/audit-entry.ts';
import { appendAudit } from '../../core/audit-log/audit-log.ts';
import type { AppEnv, ServerDeps } from './app-env.ts';

const MUTATIONS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * Records every successful mutation under /api as `api.<METHOD> <route pattern>`, acted by the key's
 * user. Request bodies are never recorded (they may hold secrets); the resource comes from the path, or
 * for a create from the new object's id in the answer.
 */
export function auditMutations(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if (!MUTATIONS.has(method) || c.res.status >= 400) return;
    const principal = c.get('principal');
    const pattern = matchedRoutes(c).findLast((route) => route.method === method)?.path;
    if (principal === undefined || pattern === undefined) return;
    try {
      await appendAudit(deps.store, {
        workspaceId: principal.workspaceId,
        actor: { type: 'user', id: principal.userId, keyId: principal.keyId },
        action: `api.${method} ${pattern}`,
        resource: await resourceOf(pattern, c.req.path, c.res),
        data: { status: c.res.status },
      });
    } catch (error) {
      // The change is committed either way; a missing entry must be loud, not a failed request.
      deps.log(`audit: could not record ${method} ${c.req.path}: ${(error as Error).message}`);
    }
  };
}

/** `/api/keys/:id` + `/api/keys/key_1` → `{type: 'keys', id: 'key_1'}`; a create names its new object. */
async function resourceOf(pattern: string, path: string, response: Response): Promise<AuditResource> {
  const patternParts = pattern.split('/').filter((part) => part !== '' && part !== 'api');
  const pathParts = path.split('/').filter((part) => part !== '' && part !== 'api');
  const type = patternParts[0] ?? 'api';
  const paramAt = patternParts.findIndex((part) => part.startsWith(':'));
  if (paramAt !== -1) return { type, id: safeDecode(pathParts[paramAt]) };
  return { type, id: await createdId(response) };
}

function safeDecode(part: string | undefined): string | null {
  if (part === undefined) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The `id` of the first object in a JSON answer (`{key: {id}, secret}` → the key's id); nothing else is read. */
async function createdId(response: Response): Promise<string | null> {
  if (!response.headers.get('content-type')?.includes('application/json')) return null;
  try {
    const body: unknown = await response.clone().json();
    if (body === null || typeof body !== 'object') return null;
    for (const value of Object.values(body)) {
      if (value !== null && typeof value === 'object' && 'id' in value && typeof value.id === 'string')
        return value.id;
    }
  } catch {
    return null;
  }
  return null;
}
