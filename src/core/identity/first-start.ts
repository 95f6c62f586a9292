import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/sql-client.ts';
import { createApiKey } from './api-keys.ts';
import { createUser, setMembership } from './user-repo.ts';
import { createWorkspace } from './workspace-repo.ts';

export const ADMIN_KEY_FILE = 'admin-api-key';

export type FirstStartResult =
  | { created: false }
  | { created: true; workspaceId: string; userId: string; apiKey: string; keyFile: string };

/**
 * On an empty store: a default workspace, an admin user and an admin key, written to
 * `<home>/admin-api-key` (0600). On a store that has a workspace already: nothing.
 */
export async function ensureFirstStart(store: Store, home: string): Promise<FirstStartResult> {
  const result = await store.transaction(async (tx) => {
    // Serialise concurrent first starts (several processes on one PostgreSQL).
    await tx.query('SELECT pg_advisory_xact_lock(27418239865139316)');
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM workspaces');
    if ((rows[0]?.n ?? 0) > 0) return undefined;
    const workspace = await createWorkspace(tx, 'default');
    const user = await createUser(tx, { email: 'admin@localhost', name: 'Administrator' });
    await setMembership(tx, workspace.id, user.id, 'admin');
    const { secret } = await createApiKey(tx, {
      workspaceId: workspace.id,
      userId: user.id,
      name: 'first-start admin',
    });
    return { workspaceId: workspace.id, userId: user.id, apiKey: secret };
  });
  if (result === undefined) return { created: false };
  mkdirSync(home, { recursive: true });
  const keyFile = join(home, ADMIN_KEY_FILE);
  writeFileSync(keyFile, `${result.apiKey}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { created: true, ...result, keyFile };
}
