import { createApiKey } from '../../src/core/identity/api-keys.ts';
import type { Role } from '../../src/core/identity/roles.ts';
import { createUser, setMembership } from '../../src/core/identity/user-repo.ts';
import type { SqlClient } from '../../src/core/store/sql-client.ts';

export interface TestMember {
  id: string;
  /** The secret of an API key acting as this member. */
  key: string;
}

/** A new user with `role` in the workspace and an API key of theirs. */
export async function addMember(
  db: SqlClient,
  workspaceId: string,
  member: { email: string; name: string; role: Role },
): Promise<TestMember> {
  const user = await createUser(db, { email: member.email, name: member.name });
  await setMembership(db, workspaceId, user.id, member.role);
  const { secret } = await createApiKey(db, { workspaceId, userId: user.id, name: member.name });
  return { id: user.id, key: secret };
}
