import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { findMemberByEmail, listMembers } from '../../../core/identity/user-repo.ts';
import { getWorkspace, listWorkspaces, type Workspace } from '../../../core/identity/workspace-repo.ts';
import type { SqlClient } from '../../../core/store/sql-client.ts';

/** `--workspace` by id or name; without it, the first workspace (the one first start made). */
export async function resolveWorkspace(db: SqlClient, idOrName: string | undefined): Promise<Workspace> {
  if (idOrName !== undefined) return getWorkspace(db, idOrName);
  const [first] = await listWorkspaces(db);
  if (first === undefined) {
    throw new AgentOsError(
      'resource.not_found',
      'There is no workspace yet: run "agentos serve" once, or "agentos workspaces create"',
    );
  }
  return first;
}

/** `--user` by email; without it, the workspace's first admin. */
export async function resolveMember(
  db: SqlClient,
  workspaceId: string,
  email: string | undefined,
): Promise<string> {
  if (email !== undefined) {
    const member = await findMemberByEmail(db, workspaceId, email);
    if (member === undefined)
      throw new AgentOsError('resource.not_found', `No member with email "${email}" in this workspace`);
    return member.id;
  }
  const admin = (await listMembers(db, workspaceId)).find((m) => m.role === 'admin');
  if (admin === undefined)
    throw new AgentOsError('resource.not_found', 'This workspace has no admin; pass --user');
  return admin.id;
}
