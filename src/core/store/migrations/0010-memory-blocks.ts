import type { Migration } from '../migration.ts';

/**
 * Pinned memory blocks (small notes put into every model call of an agent) and consolidation's marks:
 * `memories.expired_at` (a memory past its `valid_to` that consolidation retired) and the `expire` change.
 */
export const memoryBlocks: Migration = {
  version: 10,
  name: 'memory-blocks',
  sql: `
CREATE TABLE memory_blocks (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL CHECK (scope IN ('agent', 'user', 'workspace')),
  -- the agent id, user id or workspace id
  scope_id text NOT NULL,
  label text NOT NULL CHECK (label ~ '^[a-z][a-z0-9-]{0,62}$'),
  content text NOT NULL CHECK (char_length(content) <= 2000),
  -- the user or agent id that wrote it last
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, scope, scope_id, label)
);

ALTER TABLE memories ADD COLUMN expired_at timestamptz;
CREATE INDEX memories_expiring ON memories (valid_to)
  WHERE valid_to IS NOT NULL AND expired_at IS NULL AND deleted_at IS NULL;

ALTER TABLE memory_changes DROP CONSTRAINT memory_changes_action_check;
ALTER TABLE memory_changes ADD CONSTRAINT memory_changes_action_check
  CHECK (action IN ('create', 'merge', 'update', 'supersede', 'delete', 'expire'));
`,
};
