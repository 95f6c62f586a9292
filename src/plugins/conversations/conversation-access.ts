import { memberSeesSpace, visibleSpaceIds } from '../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { SqlClient, SqlParam } from '../../core/store/sql-client.ts';

/**
 * Who may read and post in a conversation: its owner, and, while it is shared with a space, whoever sees
 * that space (space-repo.ts). Nobody else — not even an admin — reads a private conversation.
 */
export async function userSeesConversation(
  db: SqlClient,
  workspaceId: string,
  userId: string,
  conversationId: string,
): Promise<boolean> {
  const { rows } = await db.query<{ owner_id: string; space_id: string | null }>(
    'SELECT owner_id, space_id FROM conversations WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL',
    [conversationId, workspaceId],
  );
  const row = rows[0];
  if (row === undefined) return false;
  if (row.owner_id === userId) return true;
  return row.space_id !== null && memberSeesSpace(db, workspaceId, userId, row.space_id);
}

export interface SqlPredicate {
  sql: string;
  params: SqlParam[];
}

/**
 * The list-side twin of userSeesConversation: a WHERE fragment over the conversations aliased `alias`, with
 * its parameters numbered from `firstParam`. A non-member of the workspace sees none.
 */
export async function visibleConversationsPredicate(
  db: SqlClient,
  viewer: { workspaceId: string; userId: string },
  alias: string,
  firstParam: number,
): Promise<SqlPredicate> {
  const role = await getMembershipRole(db, viewer.workspaceId, viewer.userId);
  const spaces = role === undefined ? [] : await visibleSpaceIds(db, { ...viewer, role });
  const [ws, user, visible] = [firstParam, firstParam + 1, firstParam + 2];
  return {
    sql: `(${alias}.workspace_id = $${ws} AND ${alias}.deleted_at IS NULL AND $${user}::text IS NOT NULL
      AND (${alias}.owner_id = $${user} OR ${alias}.space_id = ANY($${visible}::text[])))`,
    params: [viewer.workspaceId, role === undefined ? null : viewer.userId, spaces],
  };
}
