import type { Migration } from '../migration.ts';

export const artefactsAndMcp: Migration = {
  version: 6,
  name: 'artefacts-and-mcp',
  sql: `
-- Tool outputs over the size cap; the model sees a summary and the id. JSON text, byte for byte.
CREATE TABLE artefacts (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  run_id text REFERENCES runs(id) ON DELETE CASCADE,
  tool text,
  bytes integer NOT NULL,
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artefacts_run ON artefacts (run_id);

-- MCP servers an admin registered for a workspace. Credentials (env values, headers) are one
-- AES-256-GCM sealed JSON object; only their names are stored in the clear.
CREATE TABLE mcp_servers (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  transport text NOT NULL CHECK (transport IN ('stdio', 'http')),
  command text,
  args jsonb NOT NULL DEFAULT '[]',
  url text,
  secrets_sealed text,
  secret_names jsonb NOT NULL DEFAULT '{"env": [], "headers": []}',
  -- Per-tool stakes/effect set by an admin: {"<tool>": {"stakes": "low", "effect": "read"}}.
  tool_overrides jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name),
  CHECK ((transport = 'stdio' AND command IS NOT NULL AND url IS NULL)
      OR (transport = 'http' AND url IS NOT NULL AND command IS NULL))
);
`,
};
