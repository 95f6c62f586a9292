import type { Migration } from '../migration.ts';

/**
 * Files attached to a conversation, parsed into documents that only that conversation's runs search. They
 * live in the knowledge tables, under one hidden source per conversation (`conversation_id` set): every list
 * and search of ordinary sources leaves such a source out, and the name index ignores it.
 */
export const conversationFiles: Migration = {
  version: 28,
  name: 'conversation-files',
  sql: `
ALTER TABLE knowledge_sources ADD COLUMN conversation_id text REFERENCES conversations(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX knowledge_sources_conversation ON knowledge_sources (conversation_id)
  WHERE conversation_id IS NOT NULL;
DROP INDEX knowledge_sources_name;
CREATE UNIQUE INDEX knowledge_sources_name ON knowledge_sources (workspace_id, name)
  WHERE deleted_at IS NULL AND conversation_id IS NULL;

CREATE TABLE conversation_files (
  id text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  -- The parsed document (its status and parse error); removing it removes the file.
  document_id text NOT NULL UNIQUE REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  name text NOT NULL,
  media_type text NOT NULL,
  size integer NOT NULL,
  uploaded_by text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_files_by_conversation ON conversation_files (conversation_id, created_at, id);
`,
};
