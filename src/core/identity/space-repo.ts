import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { type Role, roleAtLeast } from './roles.ts';
import { getMembershipRole } from './user-repo.ts';

/**
 * Spaces group agents (and their shared memory) inside a workspace. An open space is visible to every
 * member of the workspace; a restricted one only to its members (directly or through a group) and the
 * workspace's admins.
 */
export interface Space {
  id: string;
  workspaceId: string;
  name: string;
  visibility: 'open' | 'restricted';
  createdAt: Date;
}

/** Whoever is looking: a workspace member with a role. */
export interface SpaceViewer {
  workspaceId: string;
  userId: string;
  role: Role;
}

interface SpaceRow {
  id: string;
  workspace_id: string;
  name: string;
  visibility: 'open' | 'restricted';
  created_at: Date;
}

const toSpace = (row: SpaceRow): Space => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  visibility: row.visibility,
  createdAt: row.created_at,
});

const VISIBLE = `s.workspace_id = $1 AND (s.visibility = 'open' OR $3
  OR EXISTS (SELECT 1 FROM space_members m WHERE m.space_id = s.id AND m.user_id = $2)
  OR EXISTS (SELECT 1 FROM space_groups sg JOIN group_members gm ON gm.group_id = sg.group_id
             WHERE sg.space_id = s.id AND gm.user_id = $2))`;

const viewerParams = (viewer: SpaceViewer) => [
  viewer.workspaceId,
  viewer.userId,
  roleAtLeast(viewer.role, 'admin'),
];

export async function createSpace(
  db: SqlClient,
  input: { workspaceId: string; name: string; visibility: Space['visibility'] },
): Promise<Space> {
  try {
    const { rows } = await db.query<SpaceRow>(
      'INSERT INTO spaces (id, workspace_id, name, visibility) VALUES ($1, $2, $3, $4) RETURNING *',
      [newId('spc'), input.workspaceId, input.name, input.visibility],
    );
    return toSpace(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AgentOsError('resource.conflict', `A space named "${input.name}" already exists`);
    throw error;
  }
}

export async function listVisibleSpaces(db: SqlClient, viewer: SpaceViewer): Promise<Space[]> {
  const { rows } = await db.query<SpaceRow>(
    `SELECT s.* FROM spaces s WHERE ${VISIBLE} ORDER BY s.name`,
    viewerParams(viewer),
  );
  return rows.map(toSpace);
}

/** The ids of the spaces this viewer may see (for scope filters). */
export async function visibleSpaceIds(db: SqlClient, viewer: SpaceViewer): Promise<string[]> {
  return (await listVisibleSpaces(db, viewer)).map((space) => space.id);
}

/** A space of the workspace by id or name; a space the viewer may not see does not exist for them. */
export async function getVisibleSpace(db: SqlClient, viewer: SpaceViewer, idOrName: string): Promise<Space> {
  const { rows } = await db.query<SpaceRow>(
    `SELECT s.* FROM spaces s WHERE ${VISIBLE} AND (s.id = $4 OR s.name = $4)`,
    [...viewerParams(viewer), idOrName],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No space "${idOrName}"`);
  return toSpace(rows[0]);
}

export async function canSeeSpace(db: SqlClient, viewer: SpaceViewer, spaceId: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM spaces s WHERE ${VISIBLE} AND s.id = $4`,
    [...viewerParams(viewer), spaceId],
  );
  return rows.length > 0;
}

/** As canSeeSpace, for a user known only by id: their role in the workspace decides (none: no). */
export async function memberSeesSpace(
  db: SqlClient,
  workspaceId: string,
  userId: string,
  spaceId: string,
): Promise<boolean> {
  const role = await getMembershipRole(db, workspaceId, userId);
  return role !== undefined && canSeeSpace(db, { workspaceId, userId, role }, spaceId);
}

export async function addSpaceMember(db: SqlClient, spaceId: string, userId: string): Promise<void> {
  await db.query('INSERT INTO space_members (space_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    spaceId,
    userId,
  ]);
}

export async function removeSpaceMember(db: SqlClient, spaceId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query<{ user_id: string }>(
    'DELETE FROM space_members WHERE space_id = $1 AND user_id = $2 RETURNING user_id',
    [spaceId, userId],
  );
  return rows.length > 0;
}

export async function listSpaceMembers(db: SqlClient, spaceId: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM space_members WHERE space_id = $1 ORDER BY added_at, user_id',
    [spaceId],
  );
  return rows.map((row) => row.user_id);
}
