import { Hono } from 'hono';
import { z } from 'zod';
import { agentDefinitionSchema } from '../../../core/agents/agent-definition.ts';
import { type AvailableReferences, assertAgentReferences } from '../../../core/agents/agent-references.ts';
import {
  agentPatchSchema,
  createAgent,
  deleteAgent,
  getAgent,
  listAgentVersions,
  updateAgent,
} from '../../../core/agents/agent-repo.ts';
import { listVisibleAgents } from '../../../core/agents/agent-visibility.ts';
import { assertAgentWithinBoundary } from '../../../plugins/policy/agent-boundary.ts';
import { pinAgentSkills } from '../../../plugins/skills/skill-pinning.ts';
import { agentSchema, noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { agentFor } from '../agent-authorization.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const versionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(2_147_483_647))
    .optional(),
});

const patchBody = agentPatchSchema.refine((patch) => Object.keys(patch).length > 0, {
  message: 'the patch is empty: send at least one field to change',
});

const agentBody = z.object({ agent: agentSchema });

export function agentRoutes(deps: Pick<RouteDeps, 'store' | 'kernel' | 'providerModels'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;
  const tags = ['agents'];
  // What a saved definition may name: checked again here, whatever the builder's pickers offered.
  const available = (workspaceId: string): AvailableReferences => ({
    models: () => deps.providerModels.report(),
    tools: (names) => deps.kernel.tools.catalogue(workspaceId, names),
  });

  defineRoute(
    api,
    {
      method: 'get',
      path: '/agents',
      resource: 'agent',
      summary: 'List the agents the caller sees',
      tags,
      action: 'agents.read',
      query: noQuery,
      responses: {
        200: { description: 'The visible agents', schema: z.object({ agents: z.array(agentSchema) }) },
      },
    },
    async (c) => {
      const principal = c.get('principal');
      return c.json({ agents: await listVisibleAgents(store, principal.workspaceId, principal.userId) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/agents',
      resource: 'agent',
      summary: 'Create an agent (version 1)',
      tags,
      action: 'agents.create',
      body: agentDefinitionSchema,
      responses: { 201: { description: 'The created agent', schema: agentBody } },
    },
    async (c, { body: definition }) => {
      const principal = c.get('principal');
      await assertAgentWithinBoundary(store, principal, definition);
      await assertAgentReferences(definition, available(principal.workspaceId));
      const skills = await pinAgentSkills(store, principal, definition.skills);
      const agent = await createAgent(store, {
        workspaceId: principal.workspaceId,
        definition: skills === undefined ? definition : { ...definition, skills },
        createdBy: principal.userId,
      });
      return c.json({ agent }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/agents/:idOrName',
      resource: 'agent',
      summary: 'Get an agent, its latest version or the one asked for',
      tags,
      action: 'agents.read',
      query: versionQuery,
      responses: { 200: { description: 'The agent', schema: agentBody } },
    },
    async (c, { params, query }) => {
      await agentFor(c, store, params.idOrName, 'agents.read');
      const agent = await getAgent(store, c.get('principal').workspaceId, params.idOrName, query.version);
      return c.json({ agent });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/agents/:idOrName/versions',
      resource: 'agent',
      summary: "List an agent's versions",
      tags,
      action: 'agents.read',
      query: noQuery,
      responses: {
        200: {
          description: 'Every version, oldest first',
          schema: z.object({ versions: z.array(agentSchema) }),
        },
      },
    },
    async (c, { params }) => {
      await agentFor(c, store, params.idOrName, 'agents.read');
      const versions = await listAgentVersions(store, c.get('principal').workspaceId, params.idOrName);
      return c.json({ versions });
    },
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/agents/:idOrName',
      resource: 'agent',
      summary: 'Change an agent: stores a new version',
      tags,
      action: 'agents.update',
      body: patchBody,
      responses: { 200: { description: 'The new version', schema: agentBody } },
    },
    async (c, { params, body: patch }) => {
      const principal = c.get('principal');
      await agentFor(c, store, params.idOrName, 'agents.update');
      await assertAgentWithinBoundary(store, principal, patch);
      await assertAgentReferences(patch, available(principal.workspaceId));
      const skills = await pinAgentSkills(store, principal, patch.skills);
      const agent = await updateAgent(store, {
        workspaceId: principal.workspaceId,
        idOrName: params.idOrName,
        patch: skills === undefined ? patch : { ...patch, skills },
        updatedBy: principal.userId,
      });
      return c.json({ agent });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/agents/:idOrName',
      resource: 'agent',
      summary: 'Delete an agent (its runs stay)',
      tags,
      action: 'agents.delete',
      responses: { 200: { description: 'The deleted agent', schema: agentBody } },
    },
    async (c, { params }) => {
      await agentFor(c, store, params.idOrName, 'agents.delete');
      const agent = await deleteAgent(store, c.get('principal').workspaceId, params.idOrName);
      return c.json({ agent });
    },
  );
  return api;
}
