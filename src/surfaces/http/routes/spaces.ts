import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import {
  addSpaceMember,
  createSpace,
  getVisibleSpace,
  listSpaceMembers,
  listVisibleSpaces,
  removeSpaceMember,
} from '../../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../../core/identity/user-repo.ts';
import { noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { spaceMembersSchema, spaceSchema } from '../../openapi/space-schemas.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const createBody = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter'),
  visibility: z.enum(['open', 'restricted']).default('open'),
});
const memberBody = z.strictObject({ userId: z.string().min(1).max(200) });

/**
 * Spaces: `GET /api/spaces` (the ones the caller sees), `POST /api/spaces` (admin),
 * `GET|POST /api/spaces/:space/members`, `DELETE /api/spaces/:space/members/:userId` (admin).
 */
export function spaceRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/spaces',
      resource: 'space',
      summary: 'List the spaces the caller sees',
      tags: ['spaces'],
      query: noQuery,
      responses: { 200: { description: 'The spaces', schema: z.object({ spaces: z.array(spaceSchema) }) } },
    },
    async (c) => {
      return c.json({ spaces: await listVisibleSpaces(store, c.get('principal')) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/spaces',
      resource: 'space',
      summary: 'Create a space',
      tags: ['spaces'],
      action: 'spaces.manage',
      body: createBody,
      responses: { 201: { description: 'The created space', schema: z.object({ space: spaceSchema }) } },
    },
    async (c, { body }) => {
      const space = await createSpace(store, { workspaceId: c.get('principal').workspaceId, ...body });
      return c.json({ space }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/spaces/:space/members',
      resource: 'space',
      summary: "List a space's members",
      tags: ['spaces'],
      query: noQuery,
      responses: { 200: { description: 'The members', schema: spaceMembersSchema } },
    },
    async (c, { params }) => {
      const space = await getVisibleSpace(store, c.get('principal'), params.space);
      return c.json({ space, members: await listSpaceMembers(store, space.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/spaces/:space/members',
      resource: 'space',
      summary: 'Add a member to a restricted space',
      tags: ['spaces'],
      action: 'spaces.manage',
      body: memberBody,
      responses: { 201: { description: 'The space and its members', schema: spaceMembersSchema } },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const space = await getVisibleSpace(store, principal, params.space);
      if ((await getMembershipRole(store, principal.workspaceId, body.userId)) === undefined)
        throw new AgentOsError('resource.not_found', `No member "${body.userId}" in this workspace`);
      await addSpaceMember(store, space.id, body.userId);
      return c.json({ space, members: await listSpaceMembers(store, space.id) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/spaces/:space/members/:userId',
      resource: 'space',
      summary: 'Remove a member from a space',
      tags: ['spaces'],
      action: 'spaces.manage',
      responses: { 200: { description: 'The space and its members', schema: spaceMembersSchema } },
    },
    async (c, { params }) => {
      const space = await getVisibleSpace(store, c.get('principal'), params.space);
      if (!(await removeSpaceMember(store, space.id, params.userId)))
        throw new AgentOsError('resource.not_found', `"${params.userId}" is not a member of ${space.name}`);
      return c.json({ space, members: await listSpaceMembers(store, space.id) });
    },
  );
  return api;
}
