import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { appendAudit } from '../../audit/audit-log.ts';
import { AgentOsError } from '../../errors/agent-os-error.ts';
import {
  type ConsoleSession,
  closeSession,
  csrfTokenFor,
  getSession,
  openSession,
  SESSION_COOKIE,
} from '../../identity/console-sessions.ts';
import { getWorkspace } from '../../identity/workspace-repo.ts';
import type { SqlClient } from '../../store/sql-client.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { readJson } from '../validate.ts';

const signInBody = z.strictObject({ apiKey: z.string().min(1).max(200) });

/** `POST /api/sessions`: the console signs in with an API key and gets an HttpOnly session cookie. Public. */
export function signInRoutes(deps: ServerDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/sessions', async (c) => {
    const { apiKey } = await readJson(c, signInBody);
    const opened = await openSession(deps.store, apiKey);
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
  });
  return routes;
}

/** The signed-in console's own session: read it back after a reload (with its CSRF token), or sign out. */
export function sessionRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  api.get('/sessions/current', async (c) => {
    const session = await getSession(deps.store, currentSessionId(c));
    return c.json(await describe(deps.store, session, csrfTokenFor(getCookie(c, SESSION_COOKIE) ?? '')));
  });

  api.delete('/sessions/current', async (c) => {
    await closeSession(deps.store, currentSessionId(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
    return c.body(null, 204);
  });
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
  const { rows } = await db.query<{ id: string; email: string; name: string; role: string }>(
    `SELECT u.id, u.email, u.name, m.role FROM users u
     JOIN memberships m ON m.user_id = u.id AND m.workspace_id = $1 WHERE u.id = $2`,
    [session.workspaceId, session.userId],
  );
  return {
    csrfToken,
    user: rows[0] ?? null,
    workspace: { id: workspace.id, name: workspace.name },
    expiresAt: session.expiresAt.toISOString(),
  };
}

const isHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
