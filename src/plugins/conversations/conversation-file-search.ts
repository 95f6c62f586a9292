import type { SqlClient } from '../../core/store/sql-client.ts';
import { userSeesConversation } from './conversation-access.ts';

/**
 * The sources `search_knowledge` adds for a run because of where it runs: the hidden source of the files
 * attached to the run's conversation — while its user may still read that conversation (checked at every
 * call: a member removed from the space, or a deleted conversation, finds nothing more). A run outside a
 * conversation, or a system run, gets none.
 */
export async function conversationFileSources(
  db: SqlClient,
  context: { runId: string; workspaceId: string; userId: string | null },
): Promise<Array<{ id: string; name: string }>> {
  if (context.userId === null) return [];
  const { rows } = await db.query<{ conversation_id: string; id: string; name: string }>(
    `SELECT r.conversation_id, s.id, s.name FROM runs r
       JOIN knowledge_sources s ON s.conversation_id = r.conversation_id AND s.deleted_at IS NULL
     WHERE r.id = $1 AND r.workspace_id = $2`,
    [context.runId, context.workspaceId],
  );
  const row = rows[0];
  if (row === undefined) return [];
  if (!(await userSeesConversation(db, context.workspaceId, context.userId, row.conversation_id))) return [];
  return [{ id: row.id, name: row.name }];
}
