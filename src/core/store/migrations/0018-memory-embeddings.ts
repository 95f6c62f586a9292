import type { Migration } from '../migration.ts';

export const memoryEmbeddings: Migration = {
  version: 18,
  name: 'memory-embeddings',
  sql: `
-- Optional vectors for memories, from the configured embedding model (exact cosine over a candidate set;
-- a plain real[] so both stores hold it without the pgvector extension).
ALTER TABLE memories ADD COLUMN embedding real[];
ALTER TABLE memories ADD COLUMN embedding_model text;
CREATE INDEX memories_embedding_pending ON memories (created_at)
  WHERE deleted_at IS NULL AND embedding IS NULL;
`,
};
