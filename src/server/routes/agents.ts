import type { Hono } from 'hono';
import { z } from 'zod';
import { agentDefinitionSchema } from '../../agents/agent-definition.ts';
import {
  agentPatchSchema,
  createAgent,
  deleteAgent,
  getAgent,
  listAgentVersions,
  updateAgent,
} from '../../agents/agent-repo.ts';
import { assertUserSeesAgent, listVisibleAgents } from '../../agents/agent-visibility.ts';
import { getVisibleSpace } from '../../identity/space-repo.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';

const versionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(2_147_483_647))
    .optional(),
});

const noQuery = z.strictObject({});

const patchBody = agentPatchSchema.refine((patch) => Object.keys(patch).length > 0, {
  message: 'the patch is empty: send at least one field to change',
});

export function agentRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const { store } = deps;

  api.get('/agents', authorizeAction('agents.read'), async (c) => {
    readQuery(c, noQuery);
    const principal = c.get('principal');
    return c.json({ agents: await listVisibleAgents(store, principal.workspaceId, principal.userId) });
  });

  api.post('/agents', authorizeAction('agents.create'), async (c) => {
    const definition = await readJson(c, agentDefinitionSchema);
    const principal = c.get('principal');
    // A builder may only place an agent in a space they see.
    if (definition.space !== undefined) await getVisibleSpace(store, principal, definition.space);
    const agent = await createAgent(store, {
      workspaceId: principal.workspaceId,
      definition,
      createdBy: principal.userId,
    });
    return c.json({ agent }, 201);
  });

  api.get('/agents/:idOrName', authorizeAction('agents.read'), async (c) => {
    const { version } = readQuery(c, versionQuery);
    const agent = await getAgent(store, c.get('principal').workspaceId, c.req.param('idOrName'), version);
    await assertUserSeesAgent(store, agent, c.get('principal').userId);
    return c.json({ agent });
  });

  api.get('/agents/:idOrName/versions', authorizeAction('agents.read'), async (c) => {
    readQuery(c, noQuery);
    const versions = await listAgentVersions(store, c.get('principal').workspaceId, c.req.param('idOrName'));
    return c.json({ versions });
  });

  api.patch('/agents/:idOrName', authorizeAction('agents.update'), async (c) => {
    const patch = await readJson(c, patchBody);
    const principal = c.get('principal');
    if (patch.space !== undefined) await getVisibleSpace(store, principal, patch.space);
    const agent = await updateAgent(store, {
      workspaceId: principal.workspaceId,
      idOrName: c.req.param('idOrName'),
      patch,
      updatedBy: principal.userId,
    });
    return c.json({ agent });
  });

  api.delete('/agents/:idOrName', authorizeAction('agents.delete'), async (c) => {
    const agent = await deleteAgent(store, c.get('principal').workspaceId, c.req.param('idOrName'));
    return c.json({ agent });
  });
}
