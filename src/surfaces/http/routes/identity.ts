import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../core/identity/api-keys.ts';
import { roleSchema } from '../../../core/identity/roles.ts';
import { addMember, emailSchema, listMembers } from '../../../core/identity/user-repo.ts';
import { getWorkspace, listWorkspaces } from '../../../core/identity/workspace-repo.ts';
import { apiKeySchema, looseObject, memberSchema, workspaceSchema } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const createUserBody = z.strictObject({
  email: emailSchema,
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

const tags = ['identity'];
const keyBody = z.object({ key: apiKeySchema });

export function identityRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/whoami',
      resource: 'workspace',
      summary: 'The caller: user, role, key and workspace',
      tags,
      responses: {
        200: {
          description: 'Who the key (or session) acts as',
          schema: z.object({
            keyId: z.string(),
            workspaceId: z.string(),
            userId: z.string(),
            role: roleSchema,
            keyScope: z.enum(['full', 'read']),
            sessionId: z.string().optional(),
            workspace: workspaceSchema,
          }),
        },
      },
    },
    async (c) => {
      const principal = c.get('principal');
      const workspace = await getWorkspace(store, principal.workspaceId);
      return c.json({ ...principal, workspace });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/workspaces',
      resource: 'workspace',
      summary: 'The workspaces the caller belongs to',
      tags,
      responses: {
        200: { description: 'The workspaces', schema: z.object({ workspaces: z.array(looseObject) }) },
      },
    },
    async (c) => c.json({ workspaces: await listWorkspaces(store, c.get('principal').userId) }),
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/users',
      resource: 'user',
      summary: "The workspace's members",
      tags,
      responses: { 200: { description: 'The members', schema: z.object({ users: z.array(memberSchema) }) } },
    },
    async (c) => c.json({ users: await listMembers(store, c.get('principal').workspaceId) }),
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/users',
      resource: 'user',
      summary: 'Add a member (creating the user when the email is new)',
      tags,
      action: 'users.manage',
      body: createUserBody,
      responses: { 201: { description: 'The member', schema: z.object({ user: memberSchema }) } },
    },
    async (c, { body }) => {
      const workspaceId = c.get('principal').workspaceId;
      const user = await store.transaction((tx) => addMember(tx, workspaceId, body));
      return c.json({ user }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/keys',
      resource: 'key',
      summary: "The workspace's API keys (never their secrets)",
      tags,
      action: 'keys.manage',
      responses: { 200: { description: 'The keys', schema: z.object({ keys: z.array(apiKeySchema) }) } },
    },
    async (c) => c.json({ keys: await listApiKeys(store, c.get('principal').workspaceId) }),
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/keys',
      resource: 'key',
      summary: 'Create an API key (for yourself; admins: for any member)',
      tags,
      body: createKeyBody,
      responses: {
        201: {
          description: 'The key and its secret, shown this once',
          schema: z.object({ key: apiKeySchema, secret: z.string() }),
        },
      },
    },
    async (c, { body }) => {
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
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/keys/:id',
      resource: 'key',
      summary: 'Revoke an API key',
      tags,
      action: 'keys.manage',
      responses: { 200: { description: 'The revoked key', schema: keyBody } },
    },
    async (c, { params }) =>
      c.json({ key: await revokeApiKey(store, c.get('principal').workspaceId, params.id) }),
  );
  return api;
}
