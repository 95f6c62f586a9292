import type { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../errors/agent-os-error.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../identity/api-keys.ts';
import { roleSchema } from '../../identity/roles.ts';
import { createUser, findUserByEmail, listMembers, setMembership } from '../../identity/user-repo.ts';
import { getWorkspace, listWorkspaces } from '../../identity/workspace-repo.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson } from '../validate.ts';

const createUserBody = z.strictObject({
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  role: roleSchema.default('user'),
});

const createKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** Admins may mint a key for another member; everyone else gets one for themselves. */
  userId: z.string().min(1).optional(),
  /** The key stops working after this many days; never when absent. */
  expiresInDays: z.number().int().min(1).max(3_650).optional(),
  /** `read`: the key is accepted for GET and HEAD only. */
  scope: z.enum(['full', 'read']).default('full'),
});

export function identityRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const { store } = deps;

  api.get('/whoami', async (c) => {
    const principal = c.get('principal');
    const workspace = await getWorkspace(store, principal.workspaceId);
    return c.json({ ...principal, workspace });
  });

  api.get('/workspaces', async (c) =>
    c.json({ workspaces: await listWorkspaces(store, c.get('principal').userId) }),
  );

  api.get('/users', async (c) => c.json({ users: await listMembers(store, c.get('principal').workspaceId) }));

  api.post('/users', authorizeAction('users.manage'), async (c) => {
    const body = await readJson(c, createUserBody);
    const workspaceId = c.get('principal').workspaceId;
    const user = await store.transaction(async (tx) => {
      const existing = await findUserByEmail(tx, body.email);
      const created = existing ?? (await createUser(tx, { email: body.email, name: body.name }));
      await setMembership(tx, workspaceId, created.id, body.role);
      return created;
    });
    return c.json({ user: { ...user, role: body.role } }, 201);
  });

  api.get('/keys', authorizeAction('keys.manage'), async (c) =>
    c.json({ keys: await listApiKeys(store, c.get('principal').workspaceId) }),
  );

  api.post('/keys', async (c) => {
    const body = await readJson(c, createKeyBody);
    const principal = c.get('principal');
    const userId = body.userId ?? principal.userId;
    if (userId !== principal.userId) {
      await c
        .get('authorizer')
        .assert('keys.manage', undefined, 'Only an admin may create a key for another member');
    }
    const members = await listMembers(store, principal.workspaceId);
    if (!members.some((member) => member.id === userId)) {
      throw new AgentOsError('resource.not_found', `No member "${userId}" in this workspace`);
    }
    const { key, secret } = await createApiKey(store, {
      workspaceId: principal.workspaceId,
      userId,
      name: body.name,
      scope: body.scope,
      expiresAt:
        body.expiresInDays === undefined ? null : new Date(Date.now() + body.expiresInDays * 86_400_000),
    });
    return c.json({ key, secret }, 201);
  });

  api.delete('/keys/:id', authorizeAction('keys.manage'), async (c) =>
    c.json({ key: await revokeApiKey(store, c.get('principal').workspaceId, c.req.param('id')) }),
  );
}
