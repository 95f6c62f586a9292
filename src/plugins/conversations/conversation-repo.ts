import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { newId } from '../../core/store/ids.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import { userSeesConversation, visibleConversationsPredicate } from './conversation-access.ts';
import { removeConversationFiles } from './conversation-files.ts';
import {
  CONVERSATION_COLUMNS,
  type Conversation,
  type ConversationMessage,
  type ConversationRow,
  MESSAGE_COLUMNS,
  type MessageRow,
  titleFrom,
  toConversation,
  toMessage,
} from './conversation-record.ts';
import type { MessageAttachment } from './message-attachments.ts';

export interface ConversationViewer {
  workspaceId: string;
  userId: string;
}

const notFound = (id: string) => new AgentOsError('resource.not_found', `No conversation "${id}"`);

export async function createConversation(
  db: SqlClient,
  input: {
    workspaceId: string;
    ownerId: string;
    title?: string | undefined;
    spaceId?: string | null | undefined;
  },
): Promise<Conversation> {
  const { rows } = await db.query<ConversationRow>(
    `WITH c AS (
       INSERT INTO conversations (id, workspace_id, owner_id, title, title_set, space_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
     ) SELECT ${CONVERSATION_COLUMNS} FROM c`,
    [
      newId('cnv'),
      input.workspaceId,
      input.ownerId,
      input.title ?? '',
      input.title !== undefined,
      input.spaceId ?? null,
    ],
  );
  return toConversation(rows[0]!);
}

/** The conversation, when this viewer may see it; an invisible one is reported exactly like a missing one. */
export async function getVisibleConversation(
  db: SqlClient,
  viewer: ConversationViewer,
  id: string,
): Promise<Conversation> {
  if (!(await userSeesConversation(db, viewer.workspaceId, viewer.userId, id))) throw notFound(id);
  const { rows } = await db.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1`,
    [id],
  );
  if (rows[0] === undefined) throw notFound(id);
  return toConversation(rows[0]);
}

/** The viewer's own conversations and those shared with them, most recently active first. */
export async function listVisibleConversations(
  db: SqlClient,
  viewer: ConversationViewer,
  filter: { q?: string | undefined; archived?: boolean | undefined; limit: number },
): Promise<Conversation[]> {
  const visible = await visibleConversationsPredicate(db, viewer, 'c', 1);
  const { rows } = await db.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
     WHERE ${visible.sql}
       AND ($4::boolean IS NULL OR c.archived = $4)
       AND ($5::text IS NULL OR strpos(lower(c.title), lower($5)) > 0 OR EXISTS (
         SELECT 1 FROM conversation_messages m WHERE m.conversation_id = c.id AND strpos(lower(m.content), lower($5)) > 0))
     ORDER BY c.updated_at DESC, c.id DESC LIMIT $6`,
    [...visible.params, filter.archived ?? null, filter.q ?? null, filter.limit],
  );
  return rows.map(toConversation);
}

export async function updateConversation(
  db: SqlClient,
  id: string,
  patch: { title?: string | undefined; spaceId?: string | null | undefined; archived?: boolean | undefined },
): Promise<Conversation> {
  const { rows } = await db.query<ConversationRow>(
    `WITH c AS (
       UPDATE conversations SET
         title = COALESCE($2, title), title_set = title_set OR $2 IS NOT NULL,
         space_id = CASE WHEN $3 THEN $4 ELSE space_id END,
         archived = COALESCE($5, archived), updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING *
     ) SELECT ${CONVERSATION_COLUMNS} FROM c`,
    [id, patch.title ?? null, patch.spaceId !== undefined, patch.spaceId ?? null, patch.archived ?? null],
  );
  if (rows[0] === undefined) throw notFound(id);
  return toConversation(rows[0]);
}

/**
 * Soft delete: the conversation and its messages disappear from every read; the runs keep their journals.
 * Its attached files are removed with it (their content is not kept behind a deleted conversation).
 */
export async function deleteConversation(db: Store, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      'UPDATE conversations SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL',
      [id],
    );
    await removeConversationFiles(tx, id);
  });
}

/** Takes the next seq of the conversation; the row lock it holds until commit orders concurrent posts. */
async function takeSeq(tx: SqlClient, conversationId: string): Promise<number> {
  const { rows } = await tx.query<{ seq: number }>(
    `UPDATE conversations SET next_seq = next_seq + 1, updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL RETURNING next_seq - 1 AS seq`,
    [conversationId],
  );
  if (rows[0] === undefined) throw notFound(conversationId);
  return Number(rows[0].seq);
}

export async function getMessage(db: SqlClient, id: string): Promise<ConversationMessage> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages m WHERE m.id = $1`,
    [id],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No message "${id}"`);
  return toMessage(rows[0]);
}

export interface NewUserMessage {
  conversationId: string;
  userId: string;
  content: string;
  mentions: string[];
  attachments?: MessageAttachment[];
}

/** A person's message, numbered under the conversation's counter (whose row lock orders concurrent posts). */
export async function appendUserMessage(db: Store, message: NewUserMessage): Promise<ConversationMessage> {
  return db.transaction(async (tx) => {
    const seq = await takeSeq(tx, message.conversationId);
    // The first message names a conversation nobody titled.
    await tx.query(`UPDATE conversations SET title = $2 WHERE id = $1 AND NOT title_set AND title = ''`, [
      message.conversationId,
      titleFrom(message.content),
    ]);
    const id = newId('msg');
    await tx.query(
      `INSERT INTO conversation_messages (id, conversation_id, seq, role, user_id, content, mentions, attachments)
       VALUES ($1, $2, $3, 'user', $4, $5, $6::jsonb, $7::jsonb)`,
      [
        id,
        message.conversationId,
        seq,
        message.userId,
        message.content,
        jsonParam(message.mentions),
        jsonParam(message.attachments ?? []),
      ],
    );
    return getMessage(tx, id);
  });
}

/** An agent's reply, written once per run: a second write (a replay, a second follower) returns the first. */
export async function appendAgentMessage(
  db: Store,
  reply: {
    conversationId: string;
    runId: string;
    agentId: string;
    agentVersion: number;
    content: string;
    status: string;
    /** The run read untrusted content before it answered: later runs reading the reply are tainted by it. */
    untrusted: boolean;
  },
): Promise<ConversationMessage> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [reply.conversationId]);
    const existing = await tx.query<{ id: string }>(
      'SELECT id FROM conversation_messages WHERE run_id = $1',
      [reply.runId],
    );
    if (existing.rows[0] !== undefined) return getMessage(tx, existing.rows[0].id);
    const seq = await takeSeq(tx, reply.conversationId);
    const id = newId('msg');
    await tx.query(
      `INSERT INTO conversation_messages (id, conversation_id, seq, role, agent_id, agent_version, content, run_id, status,
         untrusted)
       VALUES ($1, $2, $3, 'agent', $4, $5, $6, $7, $8, $9)`,
      [
        id,
        reply.conversationId,
        seq,
        reply.agentId,
        reply.agentVersion,
        reply.content,
        reply.runId,
        reply.status,
        reply.untrusted,
      ],
    );
    await tx.query('UPDATE conversations SET last_agent_id = $2 WHERE id = $1', [
      reply.conversationId,
      reply.agentId,
    ]);
    return getMessage(tx, id);
  });
}

export async function listMessages(
  db: SqlClient,
  conversationId: string,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<ConversationMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages m
     WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
    [conversationId, options.afterSeq ?? 0, options.limit ?? 10_000],
  );
  return rows.map(toMessage);
}

/** Persons' messages whose replies may still be pending (the follower's work list). */
export async function messagesWithPendingReplies(
  db: SqlClient,
  conversationId: string,
): Promise<ConversationMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages m
     WHERE m.conversation_id = $1 AND m.role = 'user' AND jsonb_array_length(m.replies) > 0
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.replies) r
                   WHERE NOT EXISTS (SELECT 1 FROM conversation_messages a WHERE a.run_id = r->>'runId'))
     ORDER BY m.seq`,
    [conversationId],
  );
  return rows.map(toMessage);
}
