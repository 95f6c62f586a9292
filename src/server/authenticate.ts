import type { MiddlewareHandler } from 'hono';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { authenticateApiKey } from '../identity/api-keys.ts';
import type { Store } from '../store/sql-client.ts';
import type { AppEnv } from './app-env.ts';
import { requestAuthorizer } from './authorize-action.ts';

/** `Authorization: Bearer aos_…` → the request's principal, and its authorizer (`authorize-action.ts`). */
export function authenticate(store: Store, log: (message: string) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') {
      throw new AgentOsError(
        'auth.missing',
        'This endpoint needs an API key: send "Authorization: Bearer <key>"',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      throw new AgentOsError('auth.invalid', 'The Authorization header must be "Bearer <key>"');
    }
    const principal = await authenticateApiKey(store, match[1]);
    if (principal.keyScope === 'read' && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      throw new AgentOsError('auth.forbidden', `This API key is read-only: ${c.req.method} is not allowed`);
    }
    c.set('principal', principal);
    c.set('authorizer', requestAuthorizer(store, principal, log));
    await next();
  };
}
