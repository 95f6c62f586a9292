import type { Migration } from '../migration.ts';

/**
 * The bytes of documents that are tables (CSV, TSV, XLSX, Parquet), from a knowledge source or attached to a
 * conversation: `query_files` loads them into an embedded analytical engine as they were read. Other documents
 * keep only their parsed text. Replaced with the document, removed with it.
 */
export const documentContent: Migration = {
  version: 34,
  name: 'document-content',
  sql: `
CREATE TABLE knowledge_document_content (
  document_id text PRIMARY KEY REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  content bytea NOT NULL
);
`,
};
