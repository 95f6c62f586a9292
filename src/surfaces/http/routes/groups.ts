import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import {
  addGroupMember,
  addSpaceGroup,
  createGroup,
  getGroup,
  listGroups,
  removeGroupMember,
} from '../../../core/identity/group-repo.ts';
import { getVisibleSpace } from '../../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../../core/identity/user-repo.ts';
import { noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { groupSchema, spaceSchema } from '../../openapi/space-schemas.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const groupName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter');
const createBody = z.strictObject({ name: groupName });
const memberBody = z.strictObject({ userId: z.string().min(1).max(200) });
const spaceGroupBody = z.strictObject({ group: z.string().min(1).max(200) });
const groupBody = z.object({ group: groupSchema });

/**
 * Groups (admin: `users.manage`): `GET|POST /api/groups`, `POST /api/groups/:group/members`,
 * `DELETE /api/groups/:group/members/:userId`; `POST /api/spaces/:space/groups` (`spaces.manage`) makes a
 * group's members members of a restricted space. In Cedar a user is in `Group::"<name>"` for each group.
 */
export function groupRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/groups',
      resource: 'group',
      summary: 'List groups',
      tags: ['spaces'],
      query: noQuery,
      responses: { 200: { description: 'The groups', schema: z.object({ groups: z.array(groupSchema) }) } },
    },
    async (c) => {
      return c.json({ groups: await listGroups(store, c.get('principal').workspaceId) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/groups',
      resource: 'group',
      summary: 'Create a group',
      tags: ['spaces'],
      action: 'users.manage',
      body: createBody,
      responses: { 201: { description: 'The group', schema: groupBody } },
    },
    async (c, { body }) => {
      return c.json({ group: await createGroup(store, c.get('principal').workspaceId, body.name) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/groups/:group/members',
      resource: 'group',
      summary: 'Add a member to a group',
      tags: ['spaces'],
      action: 'users.manage',
      body: memberBody,
      responses: { 201: { description: 'The group', schema: groupBody } },
    },
    async (c, { params, body }) => {
      const { workspaceId } = c.get('principal');
      const group = await getGroup(store, workspaceId, params.group);
      if ((await getMembershipRole(store, workspaceId, body.userId)) === undefined)
        throw new AgentOsError('resource.not_found', `No member "${body.userId}" in this workspace`);
      await addGroupMember(store, group.id, body.userId);
      return c.json({ group: await getGroup(store, workspaceId, group.id) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/groups/:group/members/:userId',
      resource: 'group',
      summary: 'Remove a member from a group',
      tags: ['spaces'],
      action: 'users.manage',
      responses: { 200: { description: 'The group', schema: groupBody } },
    },
    async (c, { params }) => {
      const { workspaceId } = c.get('principal');
      const group = await getGroup(store, workspaceId, params.group);
      if (!(await removeGroupMember(store, group.id, params.userId)))
        throw new AgentOsError('resource.not_found', `"${params.userId}" is not in group ${group.name}`);
      return c.json({ group: await getGroup(store, workspaceId, group.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/spaces/:space/groups',
      resource: 'space',
      summary: "Make a group's members members of a space",
      tags: ['spaces'],
      action: 'spaces.manage',
      body: spaceGroupBody,
      responses: {
        201: {
          description: 'The space and the group',
          schema: z.object({ space: spaceSchema, group: groupSchema }),
        },
      },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const space = await getVisibleSpace(store, principal, params.space);
      const group = await getGroup(store, principal.workspaceId, body.group);
      await addSpaceGroup(store, space.id, group.id);
      return c.json({ space, group }, 201);
    },
  );
  return api;
}
