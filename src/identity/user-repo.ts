import { z } from 'zod';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { assertIndexable, MAX_EMAIL_CHARS } from '../store/index-bounds.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Role } from './roles.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

export interface Member extends User {
  role: Role;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: row.created_at,
});

/** An email address as members are added with (users.email is unique, so indexed: bounded). */
export const emailSchema = z.email().max(MAX_EMAIL_CHARS);

export async function createUser(db: SqlClient, input: { email: string; name: string }): Promise<User> {
  assertIndexable(input.email, MAX_EMAIL_CHARS, 'email');
  try {
    const { rows } = await db.query<UserRow>(
      'INSERT INTO users (id, email, name) VALUES ($1, $2, $3) RETURNING id, email, name, created_at',
      [newId('usr'), input.email.toLowerCase(), input.name],
    );
    return toUser(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AgentOsError('resource.conflict', `A user with email "${input.email}" already exists`);
    }
    throw error;
  }
}

export async function findUserByEmail(db: SqlClient, email: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>('SELECT id, email, name, created_at FROM users WHERE email = $1', [
    email.toLowerCase(),
  ]);
  return rows[0] === undefined ? undefined : toUser(rows[0]);
}

/** Adds the user to the workspace, or changes their role if already a member. */
export async function setMembership(
  db: SqlClient,
  workspaceId: string,
  userId: string,
  role: Role,
): Promise<void> {
  await db.query(
    `INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [workspaceId, userId, role],
  );
}

const MEMBER_SELECT = `SELECT u.id, u.email, u.name, u.created_at, m.role FROM users u
  JOIN memberships m ON m.user_id = u.id WHERE m.workspace_id = $1`;

export async function listMembers(db: SqlClient, workspaceId: string): Promise<Member[]> {
  const { rows } = await db.query<UserRow & { role: Role }>(`${MEMBER_SELECT} ORDER BY u.created_at, u.id`, [
    workspaceId,
  ]);
  return rows.map((row) => ({ ...toUser(row), role: row.role }));
}

/** One member of a workspace with their role; undefined when the user is not (or no longer) a member. */
export async function getMember(
  db: SqlClient,
  workspaceId: string,
  userId: string,
): Promise<Member | undefined> {
  const { rows } = await db.query<UserRow & { role: Role }>(`${MEMBER_SELECT} AND u.id = $2`, [
    workspaceId,
    userId,
  ]);
  const row = rows[0];
  return row === undefined ? undefined : { ...toUser(row), role: row.role };
}

export async function getMembershipRole(
  db: SqlClient,
  workspaceId: string,
  userId: string,
): Promise<Role | undefined> {
  const { rows } = await db.query<{ role: Role }>(
    'SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2',
    [workspaceId, userId],
  );
  return rows[0]?.role;
}
