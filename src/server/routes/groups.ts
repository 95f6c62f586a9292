import type { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../errors/agent-os-error.ts';
import {
  addGroupMember,
  addSpaceGroup,
  createGroup,
  getGroup,
  listGroups,
  removeGroupMember,
} from '../../identity/group-repo.ts';
import { getVisibleSpace } from '../../identity/space-repo.ts';
import { getMembershipRole } from '../../identity/user-repo.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';

const noQuery = z.strictObject({});
const groupName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter');
const createBody = z.strictObject({ name: groupName });
const memberBody = z.strictObject({ userId: z.string().min(1).max(200) });
const spaceGroupBody = z.strictObject({ group: z.string().min(1).max(200) });

/**
 * Groups (admin: `users.manage`): `GET|POST /api/groups`, `POST /api/groups/:group/members`,
 * `DELETE /api/groups/:group/members/:userId`; `POST /api/spaces/:space/groups` (`spaces.manage`) makes a
 * group's members members of a restricted space. In Cedar a user is in `Group::"<name>"` for each group.
 */
export function groupRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const { store } = deps;

  api.get('/groups', async (c) => {
    readQuery(c, noQuery);
    return c.json({ groups: await listGroups(store, c.get('principal').workspaceId) });
  });

  api.post('/groups', authorizeAction('users.manage'), async (c) => {
    const body = await readJson(c, createBody);
    return c.json({ group: await createGroup(store, c.get('principal').workspaceId, body.name) }, 201);
  });

  api.post('/groups/:group/members', authorizeAction('users.manage'), async (c) => {
    const body = await readJson(c, memberBody);
    const { workspaceId } = c.get('principal');
    const group = await getGroup(store, workspaceId, c.req.param('group'));
    if ((await getMembershipRole(store, workspaceId, body.userId)) === undefined)
      throw new AgentOsError('resource.not_found', `No member "${body.userId}" in this workspace`);
    await addGroupMember(store, group.id, body.userId);
    return c.json({ group: await getGroup(store, workspaceId, group.id) }, 201);
  });

  api.delete('/groups/:group/members/:userId', authorizeAction('users.manage'), async (c) => {
    const { workspaceId } = c.get('principal');
    const group = await getGroup(store, workspaceId, c.req.param('group'));
    if (!(await removeGroupMember(store, group.id, c.req.param('userId'))))
      throw new AgentOsError(
        'resource.not_found',
        `"${c.req.param('userId')}" is not in group ${group.name}`,
      );
    return c.json({ group: await getGroup(store, workspaceId, group.id) });
  });

  api.post('/spaces/:space/groups', authorizeAction('spaces.manage'), async (c) => {
    const body = await readJson(c, spaceGroupBody);
    const principal = c.get('principal');
    const space = await getVisibleSpace(store, principal, c.req.param('space'));
    const group = await getGroup(store, principal.workspaceId, body.group);
    await addSpaceGroup(store, space.id, group.id);
    return c.json({ space, group }, 201);
  });
}
