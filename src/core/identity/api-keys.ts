import { createHash, randomBytes } from 'node:crypto';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Role } from './roles.ts';

const KEY_PREFIX = 'aos_';

export interface ApiKeyInfo {
  id: string;
  workspaceId: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Null: never expires. */
  expiresAt: Date | null;
  /** `read`: only GET and HEAD requests are accepted. */
  scope: ApiKeyScope;
}

export type ApiKeyScope = 'full' | 'read';

/** Who a request acts as once its key is accepted. */
export interface Principal {
  keyId: string;
  workspaceId: string;
  userId: string;
  role: Role;
  keyScope: ApiKeyScope;
  /** Set when the request came with a console session cookie instead of a key. */
  sessionId?: string;
}

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
  scope: ApiKeyScope;
}

const toInfo = (row: ApiKeyRow): ApiKeyInfo => ({
  id: row.id,
  workspaceId: row.workspace_id,
  userId: row.user_id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  expiresAt: row.expires_at,
  scope: row.scope,
});

const KEY_COLUMNS =
  'id, workspace_id, user_id, name, prefix, created_at, last_used_at, revoked_at, expires_at, scope';

// Keys carry 256 random bits, so an unsalted SHA-256 is a sound, indexable verifier.
const hashKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(
  db: SqlClient,
  input: {
    workspaceId: string;
    userId: string;
    name: string;
    expiresAt?: Date | null | undefined;
    scope?: ApiKeyScope | undefined;
  },
): Promise<{ key: ApiKeyInfo; secret: string }> {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, workspace_id, user_id, name, prefix, key_hash, expires_at, scope)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${KEY_COLUMNS}`,
    [
      newId('key'),
      input.workspaceId,
      input.userId,
      input.name,
      secret.slice(0, 12),
      hashKey(secret),
      input.expiresAt ?? null,
      input.scope ?? 'full',
    ],
  );
  return { key: toInfo(rows[0]!), secret };
}

export async function listApiKeys(db: SqlClient, workspaceId: string): Promise<ApiKeyInfo[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY created_at, id`,
    [workspaceId],
  );
  return rows.map(toInfo);
}

export async function revokeApiKey(db: SqlClient, workspaceId: string, keyId: string): Promise<ApiKeyInfo> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND workspace_id = $2
     RETURNING ${KEY_COLUMNS}`,
    [keyId, workspaceId],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AgentOsError('resource.not_found', `No API key "${keyId}" in this workspace`);
  return toInfo(row);
}

/** Resolves a presented secret to its principal; throws `auth.invalid` for unknown, revoked or expired keys. */
export async function authenticateApiKey(db: SqlClient, secret: string): Promise<Principal> {
  if (!secret.startsWith(KEY_PREFIX)) throw new AgentOsError('auth.invalid', 'The API key is not valid');
  const { rows } = await db.query<{
    id: string;
    workspace_id: string;
    user_id: string;
    role: Role;
    scope: ApiKeyScope;
    expired: boolean;
  }>(
    `SELECT k.id, k.workspace_id, k.user_id, m.role, k.scope,
       (k.expires_at IS NOT NULL AND k.expires_at <= now()) AS expired
     FROM api_keys k JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.user_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [hashKey(secret)],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AgentOsError('auth.invalid', 'The API key is not valid or has been revoked');
  if (row.expired) throw new AgentOsError('auth.invalid', 'The API key has expired');
  return {
    keyId: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    role: row.role,
    keyScope: row.scope,
  };
}
