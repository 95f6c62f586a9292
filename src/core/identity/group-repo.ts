import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import type { SqlClient } from '../store/sql-client.ts';

/** A named set of workspace members: a restricted space's members at once, and a Cedar principal group. */
export interface Group {
  id: string;
  workspaceId: string;
  name: string;
  members: string[];
  createdAt: Date;
}

interface GroupRow {
  id: string;
  workspace_id: string;
  name: string;
  members: string[] | null;
  created_at: Date;
}

const toGroup = (row: GroupRow): Group => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  members: row.members ?? [],
  createdAt: row.created_at,
});

const SELECT_GROUP = `SELECT g.id, g.workspace_id, g.name, g.created_at,
  ARRAY(SELECT gm.user_id FROM group_members gm WHERE gm.group_id = g.id ORDER BY gm.user_id) AS members
  FROM groups g`;

export async function createGroup(db: SqlClient, workspaceId: string, name: string): Promise<Group> {
  try {
    const { rows } = await db.query<{ id: string }>(
      'INSERT INTO groups (id, workspace_id, name) VALUES ($1, $2, $3) RETURNING id',
      [newId('grp'), workspaceId, name],
    );
    return getGroup(db, workspaceId, rows[0]!.id);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AgentOsError('resource.conflict', `A group named "${name}" exists`);
    throw error;
  }
}

export async function listGroups(db: SqlClient, workspaceId: string): Promise<Group[]> {
  const { rows } = await db.query<GroupRow>(`${SELECT_GROUP} WHERE g.workspace_id = $1 ORDER BY g.name`, [
    workspaceId,
  ]);
  return rows.map(toGroup);
}

/** By id or name, within the workspace. */
export async function getGroup(db: SqlClient, workspaceId: string, idOrName: string): Promise<Group> {
  const { rows } = await db.query<GroupRow>(
    `${SELECT_GROUP} WHERE g.workspace_id = $1 AND (g.id = $2 OR g.name = $2)`,
    [workspaceId, idOrName],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No group "${idOrName}"`);
  return toGroup(rows[0]);
}

export async function addGroupMember(db: SqlClient, groupId: string, userId: string): Promise<void> {
  await db.query('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    groupId,
    userId,
  ]);
}

export async function removeGroupMember(db: SqlClient, groupId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query(
    'DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 RETURNING user_id',
    [groupId, userId],
  );
  return rows.length > 0;
}

/** The names of the user's groups in the workspace (their Cedar `Group` parents). */
export async function userGroupNames(db: SqlClient, workspaceId: string, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT g.name FROM groups g JOIN group_members gm ON gm.group_id = g.id
     WHERE g.workspace_id = $1 AND gm.user_id = $2 ORDER BY g.name`,
    [workspaceId, userId],
  );
  return rows.map((row) => row.name);
}

/** Makes every member of the group a member of the space. */
export async function addSpaceGroup(db: SqlClient, spaceId: string, groupId: string): Promise<void> {
  await db.query('INSERT INTO space_groups (space_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    spaceId,
    groupId,
  ]);
}
