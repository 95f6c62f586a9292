import type { Migration } from '../migration.ts';

export const consoleSessions: Migration = {
  version: 21,
  name: 'console-sessions',
  sql: `
-- Console sign-in: a session is opened by presenting an API key and lives in an HttpOnly cookie.
-- Only the token's hash is stored; the session dies with its key (revoked, expired) or on sign-out.
CREATE TABLE console_sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  key_id text NOT NULL REFERENCES api_keys(id),
  workspace_id text NOT NULL REFERENCES workspaces(id),
  user_id text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX console_sessions_key ON console_sessions (key_id);
`,
};
