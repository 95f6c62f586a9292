import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Principal } from '../../../core/identity/api-keys.ts';
import { roleAtLeast } from '../../../core/identity/roles.ts';
import { writableScope } from '../../../plugins/memory/memory-access.ts';
import {
  blockContentSchema,
  blockLabelSchema,
  blockScopeSchema,
  deletePinnedBlock,
  getMemoryBlock,
  listMemoryBlocks,
  type MemoryBlock,
  setPinnedBlock,
} from '../../../plugins/memory/memory-blocks.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { memoryBlockSchema } from '../../openapi/memory-schemas.ts';
import { agentFor } from '../agent-authorization.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const listQuery = z.strictObject({ agentId: z.string().min(1).max(200).optional() });

const putBody = z.strictObject({
  scope: blockScopeSchema,
  /** Defaults to the caller for `user` and to this workspace for `workspace`; required for `agent`. */
  scopeId: z.string().min(1).max(200).optional(),
  label: blockLabelSchema,
  content: blockContentSchema,
});

const actorOf = (principal: Principal) => ({
  type: 'user' as const,
  id: principal.userId,
  keyId: principal.keyId,
});

/** A block the caller may see: their own user blocks, the workspace's, and (builders) agents'. */
function visible(principal: Principal, block: MemoryBlock): boolean {
  if (block.scope === 'user') return block.scopeId === principal.userId;
  if (block.scope === 'workspace') return true;
  return roleAtLeast(principal.role, 'builder');
}

/**
 * `/memory-blocks`: pinned notes. Anyone edits their own user blocks; agent and workspace blocks need
 * builder or admin. Reading follows memory reading: agent blocks are for builders and admins.
 */
export function memoryBlockRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/memory-blocks',
      resource: 'memory-block',
      summary: 'List the pinned memory blocks the caller sees (agent blocks: builders)',
      tags: ['memory'],
      query: listQuery,
      responses: {
        200: { description: 'The blocks', schema: z.object({ blocks: z.array(memoryBlockSchema) }) },
      },
    },
    async (c, { query }) => {
      const principal = c.get('principal');
      const scopes: Array<{ scope: 'agent' | 'user' | 'workspace'; scopeId: string }> = [
        { scope: 'user', scopeId: principal.userId },
        { scope: 'workspace', scopeId: principal.workspaceId },
      ];
      if (query.agentId !== undefined) {
        if (!roleAtLeast(principal.role, 'builder')) {
          throw new AgentOsError(
            'auth.forbidden',
            `Reading agent blocks needs the builder role; you are ${principal.role}`,
          );
        }
        await agentFor(c, store, query.agentId, 'agents.read');
        scopes.unshift({ scope: 'agent', scopeId: query.agentId });
      }
      return c.json({ blocks: await listMemoryBlocks(store, principal.workspaceId, scopes) });
    },
  );

  defineRoute(
    api,
    {
      method: 'put',
      path: '/memory-blocks',
      resource: 'memory-block',
      summary: 'Set a pinned memory block',
      tags: ['memory'],
      body: putBody,
      responses: {
        200: {
          description: 'The block as stored; `changed` is false when it already said that',
          schema: z.object({ block: memoryBlockSchema, changed: z.boolean() }),
        },
      },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const target = await writableScope(store, principal, body.scope, body.scopeId);
      const result = await setPinnedBlock(
        store,
        {
          workspaceId: principal.workspaceId,
          scope: body.scope,
          scopeId: target.scopeId,
          label: body.label,
          content: body.content,
        },
        actorOf(principal),
      );
      return c.json(result);
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/memory-blocks/:id',
      resource: 'memory-block',
      summary: 'Delete a pinned memory block',
      tags: ['memory'],
      responses: {
        200: { description: 'The deleted block', schema: z.object({ block: memoryBlockSchema }) },
      },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      const id = params.id;
      const block = await getMemoryBlock(store, principal.workspaceId, id);
      const hidden = new AgentOsError('resource.not_found', `No memory block "${id}"`);
      if (!visible(principal, block)) throw hidden;
      // A block of an agent the caller may not see is as missing as the agent: its id is not named.
      await writableScope(store, principal, block.scope, block.scopeId).catch((error: unknown) => {
        throw error instanceof AgentOsError && error.code === 'resource.not_found' ? hidden : error;
      });
      return c.json({ block: await deletePinnedBlock(store, principal.workspaceId, id, actorOf(principal)) });
    },
  );
  return api;
}
