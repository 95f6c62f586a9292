import type { Migration } from '../migration.ts';

/**
 * Long-term memory: `memories` (full-text + trigram indexed), `memory_changes` (who changed what),
 * and per-scope term statistics that give lexical search its BM25 document frequencies.
 */
export const memories: Migration = {
  version: 4,
  name: 'memories',
  sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- array_to_string is only STABLE in general (it calls type output functions); for text[] it is immutable.
CREATE FUNCTION memory_subjects_text(subjects text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(subjects, ' ') $$;

CREATE TABLE memories (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('fact', 'decision', 'preference', 'procedure', 'episode', 'handoff')),
  content text NOT NULL,
  subjects text[] NOT NULL DEFAULT '{}',
  context text NOT NULL DEFAULT '',
  scope text NOT NULL CHECK (scope IN ('agent', 'user', 'space', 'workspace')),
  scope_id text NOT NULL,
  provenance jsonb NOT NULL,
  trust text NOT NULL CHECK (trust IN ('trusted', 'untrusted')),
  confidence real NOT NULL DEFAULT 1 CHECK (confidence >= 0 AND confidence <= 1),
  importance real NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
  valid_from timestamptz NOT NULL DEFAULT now(),
  valid_to timestamptz,
  superseded_by text REFERENCES memories(id),
  occurred_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, content), 'A') ||
    setweight(to_tsvector('english'::regconfig, memory_subjects_text(subjects)), 'B') ||
    setweight(to_tsvector('english'::regconfig, context), 'C')
  ) STORED
);
-- A small pending list: the embedded store has no autovacuum to flush it, and every search scans it.
CREATE INDEX memories_tsv ON memories USING gin (tsv) WITH (gin_pending_list_limit = 256);
CREATE INDEX memories_content_trgm ON memories USING gin (content gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX memories_by_scope ON memories (workspace_id, scope, scope_id, created_at DESC);

CREATE TABLE memory_changes (
  id bigserial PRIMARY KEY,
  memory_id text NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  action text NOT NULL CHECK (action IN ('create', 'merge', 'update', 'supersede', 'delete')),
  user_id text,
  agent_id text,
  run_id text,
  request_key text,
  old jsonb,
  new jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memory_changes_by_memory ON memory_changes (memory_id, id);
CREATE INDEX memory_changes_by_request ON memory_changes (workspace_id, request_key) WHERE request_key IS NOT NULL;

-- BM25 needs the number of live memories, their total length and each lexeme's document frequency per scope.
CREATE TABLE memory_scope_stats (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL,
  scope_id text NOT NULL,
  docs integer NOT NULL,
  total_length bigint NOT NULL,
  PRIMARY KEY (workspace_id, scope, scope_id)
);

CREATE TABLE memory_term_stats (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL,
  scope_id text NOT NULL,
  lexeme text NOT NULL,
  docs integer NOT NULL,
  PRIMARY KEY (workspace_id, scope, scope_id, lexeme)
);

CREATE TYPE memory_stat_delta AS (workspace_id text, scope text, scope_id text, tsv tsvector, sign integer);

-- Statement-level, so a bulk import updates each statistics row once; rows are upserted in key order
-- (scope row first, then lexemes sorted), which keeps concurrent writers to one scope free of deadlocks.
CREATE FUNCTION memory_stats_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta memory_stat_delta[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(ROW(n.workspace_id, n.scope, n.scope_id, n.tsv, 1)::memory_stat_delta) INTO delta
      FROM new_rows n WHERE n.deleted_at IS NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(ROW(o.workspace_id, o.scope, o.scope_id, o.tsv, -1)::memory_stat_delta) INTO delta
      FROM old_rows o WHERE o.deleted_at IS NULL;
  ELSE
    SELECT array_agg(d) INTO delta FROM (
      SELECT ROW(o.workspace_id, o.scope, o.scope_id, o.tsv, -1)::memory_stat_delta AS d
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE o.deleted_at IS NULL AND (n.deleted_at IS NOT NULL OR o.tsv <> n.tsv
          OR o.scope <> n.scope OR o.scope_id <> n.scope_id)
      UNION ALL
      SELECT ROW(n.workspace_id, n.scope, n.scope_id, n.tsv, 1)::memory_stat_delta
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE n.deleted_at IS NULL AND (o.deleted_at IS NOT NULL OR o.tsv <> n.tsv
          OR o.scope <> n.scope OR o.scope_id <> n.scope_id)
    ) changed;
  END IF;
  IF delta IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO memory_scope_stats AS s (workspace_id, scope, scope_id, docs, total_length)
    SELECT d.workspace_id, d.scope, d.scope_id, sum(d.sign), sum(d.sign * length(d.tsv))
    FROM unnest(delta) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (workspace_id, scope, scope_id)
    DO UPDATE SET docs = s.docs + EXCLUDED.docs, total_length = s.total_length + EXCLUDED.total_length;
  INSERT INTO memory_term_stats AS t (workspace_id, scope, scope_id, lexeme, docs)
    SELECT d.workspace_id, d.scope, d.scope_id, l.lexeme, sum(d.sign)
    FROM unnest(delta) d, unnest(tsvector_to_array(d.tsv)) AS l(lexeme)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (workspace_id, scope, scope_id, lexeme) DO UPDATE SET docs = t.docs + EXCLUDED.docs;
  RETURN NULL;
END $$;

CREATE TRIGGER memories_stats_insert AFTER INSERT ON memories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_stats_refresh();
CREATE TRIGGER memories_stats_update AFTER UPDATE ON memories
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_stats_refresh();
CREATE TRIGGER memories_stats_delete AFTER DELETE ON memories
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_stats_refresh();
`,
};
