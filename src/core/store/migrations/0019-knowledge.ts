import type { Migration } from '../migration.ts';

/**
 * Shared knowledge: data sources (owned by a space, or the workspace), the documents a sync found in them
 * and their chunks (full-text and trigram indexed, optional embeddings) for cited search.
 */
export const knowledge: Migration = {
  version: 19,
  name: 'knowledge',
  sql: `
CREATE TABLE knowledge_sources (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- Readers: the space's (members of a restricted space and admins; everybody for an open one), or the
  -- whole workspace when null.
  space_id text REFERENCES spaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL,
  config jsonb NOT NULL,
  -- Re-sync every so many minutes (null: only on request).
  schedule_minutes integer CHECK (schedule_minutes IS NULL OR schedule_minutes >= 1),
  status text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'syncing', 'ok', 'failed')),
  sync_heartbeat_at timestamptz,
  last_sync_at timestamptz,
  last_error jsonb,
  last_counts jsonb,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX knowledge_sources_name ON knowledge_sources (workspace_id, name) WHERE deleted_at IS NULL;

CREATE TABLE knowledge_documents (
  id text PRIMARY KEY,
  source_id text NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
  ref text NOT NULL,
  title text NOT NULL,
  location text NOT NULL,
  media_type text NOT NULL,
  content_hash text,
  bytes integer NOT NULL DEFAULT 0,
  -- Document content comes from outside: it taints whatever reads it (information-flow control).
  untrusted boolean NOT NULL DEFAULT true,
  status text NOT NULL CHECK (status IN ('ok', 'failed')),
  error_code text,
  error_message text,
  -- When its content last changed (not when a sync last saw it unchanged).
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_id, ref)
);

CREATE TABLE knowledge_chunks (
  id bigserial PRIMARY KEY,
  document_id text NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  source_id text NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  section text NOT NULL DEFAULT '',
  text text NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, section), 'B') ||
    setweight(to_tsvector('english'::regconfig, text), 'A')
  ) STORED,
  embedding real[],
  embedding_model text,
  UNIQUE (document_id, ordinal)
);
CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv) WITH (gin_pending_list_limit = 256);
CREATE INDEX knowledge_chunks_trgm ON knowledge_chunks USING gin (text gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX knowledge_chunks_source ON knowledge_chunks (source_id);
CREATE INDEX knowledge_chunks_embedding_pending ON knowledge_chunks (id) WHERE embedding IS NULL;
`,
};
