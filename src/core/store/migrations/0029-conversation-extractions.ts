import type { Migration } from '../migration.ts';

/**
 * The end-of-run extraction of a conversation run reads the conversation's messages since the last
 * extraction for the same person: each run's claimed window is remembered here, so no message is
 * extracted twice and a replayed run reads the same window again.
 */
export const conversationExtractions: Migration = {
  version: 29,
  name: 'conversation-extractions',
  sql: `
CREATE TABLE conversation_extractions (
  run_id text PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  -- Whose turns the window holds (the run acts for them; their memories receive what is extracted).
  user_id text NOT NULL,
  -- The window: messages with from_seq < seq <= upto_seq.
  from_seq integer NOT NULL,
  upto_seq integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_extractions_cursor ON conversation_extractions (conversation_id, user_id, upto_seq DESC);
`,
};
