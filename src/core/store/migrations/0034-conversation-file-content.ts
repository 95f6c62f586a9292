import type { Migration } from '../migration.ts';

/**
 * The bytes of attached tables (CSV, TSV, XLSX, Parquet): `query_files` loads them into an embedded analytical engine
 * as they were uploaded. Other attachments keep only their parsed text. Removing the file removes them.
 */
export const conversationFileContent: Migration = {
  version: 34,
  name: 'conversation-file-content',
  sql: `
CREATE TABLE conversation_file_content (
  file_id text PRIMARY KEY REFERENCES conversation_files(id) ON DELETE CASCADE,
  content bytea NOT NULL
);
`,
};
