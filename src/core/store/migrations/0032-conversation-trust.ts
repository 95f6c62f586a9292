import type { Migration } from '../migration.ts';

/**
 * Conversations as a source of provenance: an agent's reply written after untrusted content reached its
 * run is untrusted for the runs that read it later, and so is a summary folding such a reply in.
 */
export const conversationTrust: Migration = {
  version: 32,
  name: 'conversation-trust',
  sql: `
ALTER TABLE conversation_messages ADD COLUMN untrusted boolean NOT NULL DEFAULT false;
ALTER TABLE conversation_summaries ADD COLUMN untrusted boolean NOT NULL DEFAULT false;
`,
};
