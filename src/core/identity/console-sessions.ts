import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { authenticateApiKey, type Principal } from './api-keys.ts';
import type { Role } from './roles.ts';

/** A console session lasts this long from sign-in; signing in again opens a new one. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export const SESSION_COOKIE = 'agentos_session';

export interface ConsoleSession {
  id: string;
  workspaceId: string;
  userId: string;
  keyId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface OpenedSession {
  session: ConsoleSession;
  /** The cookie value; shown once, only its hash is stored. */
  token: string;
  csrfToken: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The CSRF token is derived from the session token, so it needs no storage and dies with the session.
 * A cross-site page can make the browser send the cookie but can neither read it nor this token.
 */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash('sha256').update(`agentos-csrf:${sessionToken}`).digest('base64url');

export function csrfTokenMatches(sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Signs in with an API key: the key is checked like any request's, and the session inherits its principal. */
export async function openSession(db: SqlClient, apiKey: string, now = new Date()): Promise<OpenedSession> {
  const principal = await authenticateApiKey(db, apiKey);
  if (principal.keyScope !== 'full') {
    throw new AgentOsError('auth.forbidden', 'A read-only API key cannot open a console session');
  }
  const token = `aoss_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO console_sessions (id, token_hash, key_id, workspace_id, user_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SESSION_COLUMNS}`,
    [
      newId('ses'),
      sha256(token),
      principal.keyId,
      principal.workspaceId,
      principal.userId,
      new Date(now.getTime() + SESSION_TTL_MS),
    ],
  );
  return { session: toSession(rows[0]!), token, csrfToken: csrfTokenFor(token) };
}

/** The principal behind a session cookie; `auth.invalid` when the session, or the key it came from, is gone. */
export async function authenticateSession(
  db: SqlClient,
  token: string,
): Promise<{ principal: Principal; session: ConsoleSession }> {
  const { rows } = await db.query<SessionRow & { role: Role; usable: boolean }>(
    `SELECT ${SESSION_COLUMNS.split(', ')
      .map((column) => `s.${column}`)
      .join(', ')}, m.role,
       (s.revoked_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL
        AND (k.expires_at IS NULL OR k.expires_at > now())) AS usable
     FROM console_sessions s
     JOIN api_keys k ON k.id = s.key_id
     JOIN memberships m ON m.workspace_id = s.workspace_id AND m.user_id = s.user_id
     WHERE s.token_hash = $1`,
    [sha256(token)],
  );
  const row = rows[0];
  if (row === undefined || !row.usable) {
    throw new AgentOsError('auth.invalid', 'The console session has ended: sign in again');
  }
  const session = toSession(row);
  return {
    session,
    principal: {
      keyId: session.keyId,
      workspaceId: session.workspaceId,
      userId: session.userId,
      role: row.role,
      keyScope: 'full',
      sessionId: session.id,
    },
  };
}

export async function closeSession(db: SqlClient, sessionId: string): Promise<void> {
  await db.query('UPDATE console_sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [
    sessionId,
  ]);
}

interface SessionRow {
  id: string;
  workspace_id: string;
  user_id: string;
  key_id: string;
  created_at: Date;
  expires_at: Date;
}

const SESSION_COLUMNS = 'id, workspace_id, user_id, key_id, created_at, expires_at';

const toSession = (row: SessionRow): ConsoleSession => ({
  id: row.id,
  workspaceId: row.workspace_id,
  userId: row.user_id,
  keyId: row.key_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export async function getSession(db: SqlClient, sessionId: string): Promise<ConsoleSession> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id = $1`,
    [sessionId],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No session "${sessionId}"`);
  return toSession(rows[0]);
}
