import type { SqlClient } from '../../core/store/sql-client.ts';
import { userSeesConversation } from './conversation-access.ts';

/**
 * The tables attached to a run's conversation (CSV, TSV, XLSX, Parquet), with their bytes — while the run's user may
 * still read the conversation (checked at every call, as conversation-file-search.ts does). A run outside a
 * conversation, or a system run, has none.
 */
export async function conversationTableFiles(
  db: SqlClient,
  context: { runId: string; workspaceId: string; userId: string | null },
): Promise<Array<{ id: string; name: string; mediaType: string; content: Uint8Array }>> {
  if (context.userId === null) return [];
  const { rows: runs } = await db.query<{ conversation_id: string | null }>(
    'SELECT conversation_id FROM runs WHERE id = $1 AND workspace_id = $2',
    [context.runId, context.workspaceId],
  );
  const conversationId = runs[0]?.conversation_id ?? null;
  if (conversationId === null) return [];
  if (!(await userSeesConversation(db, context.workspaceId, context.userId, conversationId))) return [];
  const { rows } = await db.query<{ id: string; name: string; media_type: string; content: Uint8Array }>(
    `SELECT f.id, f.name, f.media_type, c.content FROM conversation_files f
       JOIN knowledge_document_content c ON c.document_id = f.document_id
     WHERE f.conversation_id = $1
     ORDER BY f.created_at, f.id`,
    [conversationId],
  );
  return rows.map((row) => ({ id: row.id, name: row.name, mediaType: row.media_type, content: row.content }));
}
