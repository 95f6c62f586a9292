import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Role } from '../../core/identity/roles.ts';
import { visibleSpaceIds } from '../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { type KnowledgeSource, SOURCE_COLUMNS, type SourceRow, toKnowledgeSource } from './source-record.ts';

/**
 * Who reads a source: everybody in the workspace when it has no space; otherwise whoever sees its space
 * (every member for an open space; members, group members and admins for a restricted one). A source a
 * viewer may not read does not exist for them.
 */
export interface SourceViewer {
  workspaceId: string;
  userId: string;
  role: Role;
}

/** A conversation's hidden source of attached files is never an ordinary source (conversation-files.ts). */
const READABLE = `s.workspace_id = $1 AND s.deleted_at IS NULL AND s.conversation_id IS NULL
  AND (s.space_id IS NULL OR s.space_id = ANY($2::text[]))`;

export async function listReadableSources(db: SqlClient, viewer: SourceViewer): Promise<KnowledgeSource[]> {
  const { rows } = await db.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM knowledge_sources s WHERE ${READABLE} ORDER BY s.name`,
    [viewer.workspaceId, await visibleSpaceIds(db, viewer)],
  );
  return rows.map(toKnowledgeSource);
}

/** As listReadableSources for a user known by id (an agent's run): no membership, no sources. */
export async function listSourcesReadableBy(
  db: SqlClient,
  workspaceId: string,
  userId: string,
): Promise<KnowledgeSource[]> {
  const role = await getMembershipRole(db, workspaceId, userId);
  return role === undefined ? [] : listReadableSources(db, { workspaceId, userId, role });
}

/** A readable source by id or name; anything else is the same 404. */
export async function getReadableSource(
  db: SqlClient,
  viewer: SourceViewer,
  idOrName: string,
): Promise<KnowledgeSource> {
  const { rows } = await db.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM knowledge_sources s WHERE ${READABLE} AND (s.id = $3 OR s.name = $3)`,
    [viewer.workspaceId, await visibleSpaceIds(db, viewer), idOrName],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No source "${idOrName}"`);
  return toKnowledgeSource(rows[0]);
}
