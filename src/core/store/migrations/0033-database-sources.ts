import type { Migration } from '../migration.ts';

/**
 * Databases an admin connects for `query_database`: the URL sealed (it holds the read-only role's password),
 * shown without the password, the schema as last read, and the limits each query runs under.
 */
export const databaseSources: Migration = {
  version: 33,
  name: 'database-sources',
  sql: `
CREATE TABLE database_sources (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('postgres', 'mysql')),
  url_sealed text NOT NULL,
  shown_url text NOT NULL,
  description text NOT NULL DEFAULT '',
  space_id text REFERENCES spaces(id),
  trusted_output boolean NOT NULL DEFAULT false,
  limits jsonb NOT NULL,
  db_schema jsonb,
  schema_read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);
`,
};
