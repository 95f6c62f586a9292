import { createHash } from 'node:crypto';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { newId } from '../../core/store/ids.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';
import { chunkDocument } from '../knowledge/chunker.ts';
import { writeDocument, writeParseFailure } from '../knowledge/document-store.ts';
import { parseDocument } from '../knowledge/parse-document.ts';
import type { MessageAttachment } from './message-attachments.ts';

/**
 * Files attached to a conversation. Each is parsed and chunked into a document of the conversation's hidden
 * knowledge source (`knowledge_sources.conversation_id`), which no ordinary list or search includes: only
 * runs answering in the conversation search it (conversation-file-search.ts). Untrusted, like every document.
 */
export interface ConversationFile {
  id: string;
  conversationId: string;
  name: string;
  mediaType: string;
  size: number;
  documentId: string;
  /** `failed`: the file could not be parsed (`error` says why); nothing of it is searchable. */
  status: 'ok' | 'failed';
  error?: { code: string; message: string };
  chunks: number;
  uploadedBy: string;
  createdAt: Date;
}

export interface UploadedFile {
  name: string;
  mediaType: string;
  content: Uint8Array;
}

/** The name of every conversation's hidden source, as citations and `searched` show it. */
export const FILE_SOURCE_NAME = 'attachments';
const FILE_SOURCE_KIND = 'conversation-files';

interface FileRow {
  id: string;
  conversation_id: string;
  name: string;
  media_type: string;
  size: number;
  document_id: string;
  status: 'ok' | 'failed';
  error_code: string | null;
  error_message: string | null;
  chunks: number;
  uploaded_by: string;
  created_at: Date;
}

const FILE_SELECT = `SELECT f.id, f.conversation_id, f.name, f.media_type, f.size, f.document_id, d.status,
    d.error_code, d.error_message, f.uploaded_by, f.created_at,
    (SELECT count(*)::int FROM knowledge_chunks c WHERE c.document_id = d.id) AS chunks
  FROM conversation_files f JOIN knowledge_documents d ON d.id = f.document_id`;

const toFile = (row: FileRow): ConversationFile => ({
  id: row.id,
  conversationId: row.conversation_id,
  name: row.name,
  mediaType: row.media_type,
  size: Number(row.size),
  documentId: row.document_id,
  status: row.status,
  ...(row.error_code === null ? {} : { error: { code: row.error_code, message: row.error_message ?? '' } }),
  chunks: Number(row.chunks),
  uploadedBy: row.uploaded_by,
  createdAt: row.created_at,
});

const conversationGone = (id: string) => new AgentOsError('resource.not_found', `No conversation "${id}"`);

/** The conversation's hidden source, made with its first file. */
async function fileSourceId(
  tx: SqlClient,
  conversation: { id: string; workspaceId: string },
  userId: string,
): Promise<string> {
  await tx.query(
    `INSERT INTO knowledge_sources (id, workspace_id, space_id, name, kind, config, created_by, conversation_id)
     VALUES ($1, $2, NULL, $3, $4, '{}'::jsonb, $5, $6)
     ON CONFLICT (conversation_id) WHERE conversation_id IS NOT NULL DO NOTHING`,
    [newId('src'), conversation.workspaceId, FILE_SOURCE_NAME, FILE_SOURCE_KIND, userId, conversation.id],
  );
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id FROM knowledge_sources WHERE conversation_id = $1 AND deleted_at IS NULL',
    [conversation.id],
  );
  if (rows[0] === undefined) throw conversationGone(conversation.id);
  return rows[0].id;
}

/**
 * Parses, chunks and stores the files, all of them or none (one transaction). A file that fails to parse
 * is stored as `failed` with its error. The conversation's row is locked first, so a delete of the
 * conversation running at the same time either waits for these files (and removes them) or refuses them.
 */
export async function storeConversationFiles(
  store: Store,
  conversation: { id: string; workspaceId: string },
  uploadedBy: string,
  files: readonly UploadedFile[],
): Promise<ConversationFile[]> {
  const parsed = await Promise.all(
    files.map(async (file) => ({ file, outcome: await parseDocument(file.mediaType, file.content) })),
  );
  const ids = await store.transaction(async (tx) => {
    const { rows } = await tx.query(
      'SELECT id FROM conversations WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
      [conversation.id],
    );
    if (rows.length === 0) throw conversationGone(conversation.id);
    const sourceId = await fileSourceId(tx, conversation, uploadedBy);
    const made: string[] = [];
    for (const { file, outcome } of parsed) {
      const id = newId('fil');
      const fields = {
        ref: id,
        // Citations name the file as its uploader knows it, whatever title the document gives itself.
        title: file.name,
        location: file.name,
        mediaType: file.mediaType,
        contentHash: createHash('sha256').update(file.content).digest('hex'),
        bytes: file.content.byteLength,
      };
      const documentId = outcome.ok
        ? await writeDocument(tx, sourceId, fields, chunkDocument(outcome.document), file.content)
        : await writeParseFailure(tx, sourceId, fields, { code: outcome.code, message: outcome.message });
      await tx.query(
        `INSERT INTO conversation_files (id, conversation_id, document_id, name, media_type, size, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, conversation.id, documentId, file.name, file.mediaType, file.content.byteLength, uploadedBy],
      );
      made.push(id);
    }
    return made;
  });
  const stored = await listConversationFiles(store, conversation.id);
  return ids.map((id) => stored.find((file) => file.id === id)!);
}

/** The conversation's files, oldest first. */
export async function listConversationFiles(
  db: SqlClient,
  conversationId: string,
): Promise<ConversationFile[]> {
  const { rows } = await db.query<FileRow>(
    `${FILE_SELECT} WHERE f.conversation_id = $1 ORDER BY f.created_at, f.id`,
    [conversationId],
  );
  return rows.map(toFile);
}

export async function getConversationFile(
  db: SqlClient,
  conversationId: string,
  fileId: string,
): Promise<ConversationFile> {
  const { rows } = await db.query<FileRow>(`${FILE_SELECT} WHERE f.conversation_id = $1 AND f.id = $2`, [
    conversationId,
    fileId,
  ]);
  if (rows[0] === undefined)
    throw new AgentOsError('resource.not_found', `No file "${fileId}" in this conversation`);
  return toFile(rows[0]);
}

/** Removes the file: its document and chunks go (by cascade, its row too), so search finds nothing of it. */
export async function deleteConversationFile(db: SqlClient, file: ConversationFile): Promise<void> {
  await db.query('DELETE FROM knowledge_documents WHERE id = $1', [file.documentId]);
}

/**
 * With a deleted conversation its files go: the hidden source is marked deleted (hidden from every search at
 * once) and its documents, chunks and file rows are removed. A purge of the conversation row cascades too.
 */
export async function removeConversationFiles(db: SqlClient, conversationId: string): Promise<void> {
  await db.query(
    'UPDATE knowledge_sources SET deleted_at = now(), updated_at = now() WHERE conversation_id = $1 AND deleted_at IS NULL',
    [conversationId],
  );
  await db.query(
    `DELETE FROM knowledge_documents d USING knowledge_sources s
     WHERE d.source_id = s.id AND s.conversation_id = $1`,
    [conversationId],
  );
}

/** The message's record of the files it carries; each must be one of this conversation's files. */
export async function attachmentsOf(
  db: SqlClient,
  conversationId: string,
  fileIds: readonly string[],
): Promise<MessageAttachment[]> {
  if (fileIds.length === 0) return [];
  const files = new Map(
    (await listConversationFiles(db, conversationId)).map((file) => [file.id, file] as const),
  );
  return [...new Set(fileIds)].map((id) => {
    const file = files.get(id);
    if (file === undefined)
      throw new AgentOsError('request.invalid', `attachments: no file "${id}" in this conversation`);
    return {
      id,
      name: file.name,
      mediaType: file.mediaType,
      size: file.size,
      readable: file.status === 'ok',
    };
  });
}
