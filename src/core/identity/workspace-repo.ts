import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { assertIndexable, MAX_NAME_CHARS } from '../store/index-bounds.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import type { SqlClient } from '../store/sql-client.ts';

export interface Workspace {
  id: string;
  name: string;
  createdAt: Date;
}

interface WorkspaceRow {
  id: string;
  name: string;
  created_at: Date;
}

const toWorkspace = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
});

export async function createWorkspace(db: SqlClient, name: string): Promise<Workspace> {
  assertIndexable(name, MAX_NAME_CHARS, 'workspace name');
  try {
    const { rows } = await db.query<WorkspaceRow>(
      'INSERT INTO workspaces (id, name) VALUES ($1, $2) RETURNING id, name, created_at',
      [newId('ws'), name],
    );
    return toWorkspace(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AgentOsError('resource.conflict', `A workspace named "${name}" already exists`);
    }
    throw error;
  }
}

export async function listWorkspaces(db: SqlClient, userId?: string): Promise<Workspace[]> {
  const { rows } =
    userId === undefined
      ? await db.query<WorkspaceRow>('SELECT id, name, created_at FROM workspaces ORDER BY created_at, id')
      : await db.query<WorkspaceRow>(
          `SELECT w.id, w.name, w.created_at FROM workspaces w
           JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = $1 ORDER BY w.created_at, w.id`,
          [userId],
        );
  return rows.map(toWorkspace);
}

export async function getWorkspace(db: SqlClient, idOrName: string): Promise<Workspace> {
  const { rows } = await db.query<WorkspaceRow>(
    'SELECT id, name, created_at FROM workspaces WHERE id = $1 OR name = $1',
    [idOrName],
  );
  const row = rows[0];
  if (row === undefined) throw new AgentOsError('resource.not_found', `No workspace "${idOrName}"`);
  return toWorkspace(row);
}
