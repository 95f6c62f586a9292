import type { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../errors/agent-os-error.ts';
import {
  addSpaceMember,
  createSpace,
  getVisibleSpace,
  listSpaceMembers,
  listVisibleSpaces,
  removeSpaceMember,
} from '../../identity/space-repo.ts';
import { getMembershipRole } from '../../identity/user-repo.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';

const noQuery = z.strictObject({});
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
export function spaceRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const { store } = deps;

  api.get('/spaces', async (c) => {
    readQuery(c, noQuery);
    return c.json({ spaces: await listVisibleSpaces(store, c.get('principal')) });
  });

  api.post('/spaces', authorizeAction('spaces.manage'), async (c) => {
    const body = await readJson(c, createBody);
    const space = await createSpace(store, { workspaceId: c.get('principal').workspaceId, ...body });
    return c.json({ space }, 201);
  });

  api.get('/spaces/:space/members', async (c) => {
    readQuery(c, noQuery);
    const space = await getVisibleSpace(store, c.get('principal'), c.req.param('space'));
    return c.json({ space, members: await listSpaceMembers(store, space.id) });
  });

  api.post('/spaces/:space/members', authorizeAction('spaces.manage'), async (c) => {
    const body = await readJson(c, memberBody);
    const principal = c.get('principal');
    const space = await getVisibleSpace(store, principal, c.req.param('space'));
    if ((await getMembershipRole(store, principal.workspaceId, body.userId)) === undefined)
      throw new AgentOsError('resource.not_found', `No member "${body.userId}" in this workspace`);
    await addSpaceMember(store, space.id, body.userId);
    return c.json({ space, members: await listSpaceMembers(store, space.id) }, 201);
  });

  api.delete('/spaces/:space/members/:userId', authorizeAction('spaces.manage'), async (c) => {
    const space = await getVisibleSpace(store, c.get('principal'), c.req.param('space'));
    if (!(await removeSpaceMember(store, space.id, c.req.param('userId'))))
      throw new AgentOsError(
        'resource.not_found',
        `"${c.req.param('userId')}" is not a member of ${space.name}`,
      );
    return c.json({ space, members: await listSpaceMembers(store, space.id) });
  });
}
