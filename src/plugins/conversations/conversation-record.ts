import type { MessageAttachment } from './message-attachments.ts';

/** A thread between people and agents; private to its owner unless shared with a space. */
export interface Conversation {
  id: string;
  workspaceId: string;
  ownerId: string;
  title: string;
  /** The space it is shared with (its members read and post); null while private. */
  spaceId: string | null;
  space: string | null;
  archived: boolean;
  lastAgentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One of the runs answering a person's message, in answer order. */
export interface PlannedReply {
  agentId: string;
  agentName: string;
  runId: string;
  /** A reply by an agent handed to (hand_off) by the run of an earlier reply: it answers right after that run. */
  handedOffBy?: string;
}

export interface ConversationMessage {
  id: string;
  conversationId: string;
  seq: number;
  role: 'user' | 'agent';
  /** The user's id, or the agent's id (its version in agentVersion). */
  author: string;
  authorName: string;
  agentVersion: number | null;
  content: string;
  mentions: string[];
  attachments: MessageAttachment[];
  /** A person's message: the runs answering it. */
  replies: PlannedReply[];
  /** An agent's message: the run that wrote it, and how that run ended. */
  runId: string | null;
  status: string | null;
  createdAt: Date;
}

export interface ConversationRow {
  id: string;
  workspace_id: string;
  owner_id: string;
  title: string;
  space_id: string | null;
  space_name: string | null;
  archived: boolean;
  last_agent_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const CONVERSATION_COLUMNS = `c.id, c.workspace_id, c.owner_id, c.title, c.space_id,
  (SELECT s.name FROM spaces s WHERE s.id = c.space_id) AS space_name, c.archived, c.last_agent_id,
  c.created_at, c.updated_at`;

export const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  workspaceId: row.workspace_id,
  ownerId: row.owner_id,
  title: row.title,
  spaceId: row.space_id,
  space: row.space_name,
  archived: row.archived,
  lastAgentId: row.last_agent_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  role: 'user' | 'agent';
  user_id: string | null;
  agent_id: string | null;
  agent_version: number | null;
  author_name: string | null;
  content: string;
  mentions: string[];
  attachments: MessageAttachment[];
  replies: PlannedReply[];
  run_id: string | null;
  status: string | null;
  created_at: Date;
}

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.role, m.user_id, m.agent_id, m.agent_version,
  COALESCE((SELECT u.name FROM users u WHERE u.id = m.user_id), (SELECT a.name FROM agents a WHERE a.id = m.agent_id))
    AS author_name,
  m.content, m.mentions, m.attachments, m.replies, m.run_id, m.status, m.created_at`;

export const toMessage = (row: MessageRow): ConversationMessage => ({
  id: row.id,
  conversationId: row.conversation_id,
  seq: row.seq,
  role: row.role,
  author: row.user_id ?? row.agent_id ?? '',
  authorName: row.author_name ?? row.user_id ?? row.agent_id ?? '',
  agentVersion: row.agent_version,
  content: row.content,
  mentions: row.mentions,
  attachments: row.attachments,
  replies: row.replies,
  runId: row.run_id,
  status: row.status,
  createdAt: row.created_at,
});

/** A title from the first message: its first line, cut at a word near 80 characters. */
export function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0]?.trim() ?? '';
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
