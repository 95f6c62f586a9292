import { z } from 'zod';
import { newId } from '../store/ids.ts';
import { assertIndexable, MAX_EMAIL_CHARS } from '../store/index-bounds.ts';
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

/** An email address as members are added with (users.email is indexed: bounded). */
export const emailSchema = z.email().max(MAX_EMAIL_CHARS);

const MEMBER_SELECT = `SELECT u.id, u.email, u.name, u.created_at, m.role FROM users u
  JOIN memberships m ON m.user_id = u.id WHERE m.workspace_id = $1`;

/** A new user (emails are not unique across workspaces: see migration 26); add them with setMembership. */
export async function createUser(db: SqlClient, input: { email: string; name: string }): Promise<User> {
  assertIndexable(input.email, MAX_EMAIL_CHARS, 'email');
  const { rows } = await db.query<UserRow>(
    'INSERT INTO users (id, email, name) VALUES ($1, $2, $3) RETURNING id, email, name, created_at',
    [newId('usr'), input.email.toLowerCase(), input.name],
  );
  return toUser(rows[0]!);
}

/** The member of this workspace with this email (never a user of another workspace). */
export async function findMemberByEmail(
  db: SqlClient,
  workspaceId: string,
  email: string,
): Promise<Member | undefined> {
  const { rows } = await db.query<UserRow & { role: Role }>(
    `${MEMBER_SELECT} AND u.email = $2 ORDER BY u.created_at, u.id LIMIT 1`,
    [workspaceId, email.toLowerCase()],
  );
  const row = rows[0];
  return row === undefined ? undefined : { ...toUser(row), role: row.role };
}

/**
 * Adds a member by email: this workspace's member with that email gets the role, else a new user is
 * made for this workspace — even when another workspace knows the email, so the answer (and every later
 * read) holds only what this workspace's admin gave. Call inside a transaction.
 */
export async function addMember(
  db: SqlClient,
  workspaceId: string,
  input: { email: string; name: string; role: Role },
): Promise<Member> {
  // One add per (workspace, email) at a time, so two concurrent adds cannot make two members.
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
    `member:${workspaceId}:${input.email.toLowerCase()}`,
  ]);
  const existing = await findMemberByEmail(db, workspaceId, input.email);
  const user = existing ?? (await createUser(db, input));
  await setMembership(db, workspaceId, user.id, input.role);
  return { ...user, role: input.role };
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
