import type { Migration } from '../migration.ts';

/**
 * Conversations: threads of messages between people and agents, the short-term memory of the runs that
 * answer in them. Private to their owner, or shared with the members of a space.
 */
export const conversations: Migration = {
  version: 27,
  name: 'conversations',
  sql: `
CREATE TABLE conversations (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  owner_id text NOT NULL REFERENCES users(id),
  title text NOT NULL DEFAULT '',
  -- Given or edited by a person: the first message no longer names the conversation.
  title_set boolean NOT NULL DEFAULT false,
  -- Null: private to its owner; otherwise readable and postable by whoever sees the space.
  space_id text REFERENCES spaces(id),
  archived boolean NOT NULL DEFAULT false,
  -- The per-conversation counter: taking a message's seq locks this row, so concurrent posts get one order.
  next_seq integer NOT NULL DEFAULT 1,
  -- Who answers a message that mentions nobody.
  last_agent_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX conversations_by_owner ON conversations (workspace_id, owner_id, updated_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX conversations_by_space ON conversations (workspace_id, space_id, updated_at DESC)
  WHERE deleted_at IS NULL AND space_id IS NOT NULL;

ALTER TABLE runs ADD COLUMN conversation_id text REFERENCES conversations(id);
CREATE INDEX runs_by_conversation ON runs (conversation_id) WHERE conversation_id IS NOT NULL;

CREATE TABLE conversation_messages (
  id text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'agent')),
  user_id text REFERENCES users(id),
  agent_id text,
  agent_version integer,
  content text NOT NULL,
  mentions jsonb NOT NULL DEFAULT '[]',
  attachments jsonb NOT NULL DEFAULT '[]',
  -- A person's message: the runs answering it, in the order they answer ([{agentId, agentName, runId}]).
  replies jsonb NOT NULL DEFAULT '[]',
  -- An agent's message: the run that wrote it (one message per run, even when a replay writes it again) and its end.
  run_id text REFERENCES runs(id),
  status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (conversation_id, seq),
  UNIQUE (run_id),
  CHECK ((role = 'user' AND user_id IS NOT NULL AND run_id IS NULL)
      OR (role = 'agent' AND agent_id IS NOT NULL AND run_id IS NOT NULL))
);

-- Older turns compacted into a summary, written once and reused by later messages' runs.
CREATE TABLE conversation_summaries (
  conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  -- The summary stands for every message with seq <= upto_seq.
  upto_seq integer NOT NULL,
  content text NOT NULL,
  run_id text REFERENCES runs(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, upto_seq)
);
`,
};
