import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { appendAudit } from '../../../core/audit-log/audit-log.ts';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import {
  type ConsoleSession,
  closeSession,
  csrfTokenFor,
  getSession,
  openSession,
  SESSION_COOKIE,
} from '../../../core/identity/console-sessions.ts';
import { getMember } from '../../../core/identity/user-repo.ts';
import { getWorkspace } from '../../../core/identity/workspace-repo.ts';
import type { SqlClient } from '../../../core/store/sql-client.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const signInBody = z.strictObject({ apiKey: z.string().min(1).max(200) });

const sessionBody = z.object({
  csrfToken: z.string().meta({ description: 'Send it as `x-csrf-token` on state-changing requests' }),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string() }).nullable(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  expiresAt: z.iso.datetime({ offset: true }),
});

const tags = ['identity'];

/** `POST /api/sessions`: the console signs in with an API key and gets an HttpOnly session cookie. Public. */
export function signInRoutes(deps: ServerDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  defineRoute(
    routes,
    {
      method: 'post',
      path: '/sessions',
      resource: 'session',
      summary: 'Sign the console in with an API key: sets the HttpOnly session cookie',
      tags,
      public: true,
      body: signInBody,
      responses: {
        201: { description: 'The new session, with its CSRF token', schema: sessionBody },
        401: { description: '`auth.invalid`: the API key is unknown, revoked or expired' },
        403: { description: '`auth.forbidden`: a read-only key cannot open a console session' },
      },
    },
    async (c, { body }) => {
      const opened = await openSession(deps.store, body.apiKey);
      setCookie(c, SESSION_COOKIE, opened.token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: isHttps(c),
        maxAge: Math.floor((opened.session.expiresAt.getTime() - Date.now()) / 1000),
      });
      await appendAudit(deps.store, {
        workspaceId: opened.session.workspaceId,
        actor: { type: 'user', id: opened.session.userId, keyId: opened.session.keyId },
        action: 'session.open',
        resource: { type: 'sessions', id: opened.session.id },
        data: { expiresAt: opened.session.expiresAt.toISOString() },
      });
      return c.json(await describe(deps.store, opened.session, opened.csrfToken), 201);
    },
  );
  return routes;
}

/** The signed-in console's own session: read it back after a reload (with its CSRF token), or sign out. */
export function sessionRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/sessions/current',
      resource: 'session',
      summary: "The console's own session (after a reload), with its CSRF token",
      tags,
      responses: {
        200: { description: 'The session', schema: sessionBody },
        404: { description: '`resource.not_found`: the request was made with an API key, not a session' },
      },
    },
    async (c) => {
      const session = await getSession(deps.store, currentSessionId(c));
      return c.json(await describe(deps.store, session, csrfTokenFor(getCookie(c, SESSION_COOKIE) ?? '')));
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/sessions/current',
      resource: 'session',
      summary: 'Sign the console out: closes the session and clears its cookie',
      tags,
      responses: {
        204: { description: 'Signed out' },
        404: { description: '`resource.not_found`: the request was made with an API key, not a session' },
      },
    },
    async (c) => {
      await closeSession(deps.store, currentSessionId(c));
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
      return c.body(null, 204);
    },
  );
  return api;
}

function currentSessionId(c: Context<AppEnv>): string {
  const sessionId = c.get('principal').sessionId;
  if (sessionId === undefined) {
    throw new AgentOsError(
      'resource.not_found',
      'This request was made with an API key, not a console session',
    );
  }
  return sessionId;
}

async function describe(db: SqlClient, session: ConsoleSession, csrfToken: string) {
  const workspace = await getWorkspace(db, session.workspaceId);
  const member = await getMember(db, session.workspaceId, session.userId);
  return {
    csrfToken,
    user:
      member === undefined
        ? null
        : { id: member.id, email: member.email, name: member.name, role: member.role },
    workspace: { id: workspace.id, name: workspace.name },
    expiresAt: session.expiresAt.toISOString(),
  };
}

const isHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
