import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { authenticateApiKey, type Principal } from '../../core/identity/api-keys.ts';
import {
  authenticateSession,
  csrfTokenMatches,
  SESSION_COOKIE,
} from '../../core/identity/console-sessions.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { requestAuthorizer } from '../../plugins/policy/request-authorizer.ts';
import type { AppEnv } from './app-env.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Authorization: Bearer aos_…`, or the console's session cookie → the request's principal and its
 * authorizer (`authorize-action.ts`). A cookie is sent by the browser on its own, so a cookie-authenticated
 * mutation must also prove it came from our page: the `x-csrf-token` header, and a same-origin `Origin`.
 */
export function authenticate(store: Store, log: (message: string) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await principalOf(c, store);
    if (principal.keyScope === 'read' && !SAFE_METHODS.has(c.req.method)) {
      throw new AgentOsError('auth.forbidden', `This API key is read-only: ${c.req.method} is not allowed`);
    }
    c.set('principal', principal);
    c.set('authorizer', requestAuthorizer(store, principal, log));
    await next();
  };
}

async function principalOf(c: Context<AppEnv>, store: Store): Promise<Principal> {
  const header = c.req.header('authorization');
  if (header !== undefined && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      throw new AgentOsError('auth.invalid', 'The Authorization header must be "Bearer <key>"');
    }
    return authenticateApiKey(store, match[1]);
  }
  const sessionToken = getCookie(c, SESSION_COOKIE);
  if (sessionToken === undefined || sessionToken === '') {
    throw new AgentOsError(
      'auth.missing',
      'This endpoint needs an API key: send "Authorization: Bearer <key>" (or sign in to the console)',
    );
  }
  const { principal } = await authenticateSession(store, sessionToken);
  if (!SAFE_METHODS.has(c.req.method)) assertSameSite(c, sessionToken);
  return principal;
}

function assertSameSite(c: Context<AppEnv>, sessionToken: string): void {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') {
    const requestHost = c.req.header('host');
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost !== requestHost) {
      throw new AgentOsError('auth.csrf', `Cross-site request refused: Origin ${origin} is not this server`);
    }
  }
  if (!csrfTokenMatches(sessionToken, c.req.header('x-csrf-token'))) {
    throw new AgentOsError(
      'auth.csrf',
      'A console request that changes something must carry the session\'s "x-csrf-token" header',
    );
  }
}
