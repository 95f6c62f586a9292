import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../../core/store/sql-client.ts';
import {
  assertWritable,
  type MemoryPrincipal,
  readableScopes,
  scopeIncludes,
  writableScope,
} from '../../../plugins/memory/memory-access.ts';
import { listMemoryChanges } from '../../../plugins/memory/memory-changes.ts';
import { consolidateMemories } from '../../../plugins/memory/memory-consolidation.ts';
import {
  memoryContentSchema,
  memoryContextSchema,
  memoryKindSchema,
  memoryScopeSchema,
  memorySubjectsSchema,
  type NewMemory,
  unitIntervalSchema,
} from '../../../plugins/memory/memory-record.ts';
import {
  createMemory,
  deleteMemory,
  getMemory,
  listMemories,
  supersedeMemory,
  updateMemory,
} from '../../../plugins/memory/memory-repo.ts';
import { searchMemories } from '../../../plugins/memory/memory-search.ts';
import { looseObject, noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { memoryChangeSchema, memorySchema } from '../../openapi/memory-schemas.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const dateTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const listQuery = z.strictObject({
  q: z.string().trim().min(1).max(1_000).optional(),
  kind: memoryKindSchema.optional(),
  scope: memoryScopeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  /** Superseded and expired memories too. */
  inactive: z.enum(['true', 'false']).default('false'),
});

const createBody = z.strictObject({
  kind: memoryKindSchema,
  content: memoryContentSchema,
  subjects: memorySubjectsSchema.default([]),
  context: memoryContextSchema.optional(),
  scope: memoryScopeSchema.default('user'),
  /** Defaults to the caller for `user` and to this workspace for `workspace`; required for agent and space. */
  scopeId: z.string().min(1).max(200).optional(),
  confidence: unitIntervalSchema.optional(),
  importance: unitIntervalSchema.optional(),
  occurredAt: dateTime.optional(),
  validTo: dateTime.optional(),
  /** The id of the memory this one replaces. */
  supersedes: z.string().min(1).optional(),
});

const patchBody = z
  .strictObject({
    kind: memoryKindSchema.optional(),
    content: memoryContentSchema.optional(),
    subjects: memorySubjectsSchema.optional(),
    context: memoryContextSchema.optional(),
    confidence: unitIntervalSchema.optional(),
    importance: unitIntervalSchema.optional(),
    occurredAt: dateTime.nullable().optional(),
    validTo: dateTime.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'the patch is empty: send at least one field to change',
  });

const principalOf = (principal: MemoryPrincipal): MemoryPrincipal => ({
  workspaceId: principal.workspaceId,
  userId: principal.userId,
  role: principal.role,
});

const actorOf = (principal: MemoryPrincipal) => ({ userId: principal.userId, agentId: null, runId: null });

/** A memory the caller may read; anything else is "not found", so other scopes do not leak. */
async function readableMemory(db: SqlClient, principal: MemoryPrincipal, id: string) {
  const memory = await getMemory(db, principal.workspaceId, id);
  if (memory.deletedAt !== null || !scopeIncludes(await readableScopes(db, principal), memory)) {
    throw new AgentOsError('resource.not_found', `No memory "${id}"`);
  }
  return memory;
}

const memoriesBody = z.object({ memories: z.array(memorySchema) });
const memoryBody = z.object({ memory: memorySchema });
const writtenBody = z.object({
  memory: memorySchema,
  merged: z.boolean().meta({ description: 'Merged into a near-duplicate instead of stored anew' }),
  superseded: memorySchema.optional().meta({ description: 'With `supersedes`: the replaced memory' }),
});
const tags = ['memory'];

/** `/memories`: search or list, write, edit and delete long-term memories, scoped to the caller's rights. */
export function memoryRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/memories',
      resource: 'memory',
      summary: 'Search (`q`) or list the memories the caller may read',
      tags,
      action: 'memories.read',
      query: listQuery,
      responses: { 200: { description: 'Memories (with a `score` when searching)', schema: memoriesBody } },
    },
    async (c, { query }) => {
      const principal = principalOf(c.get('principal'));
      const readable = await readableScopes(store, principal);
      const scopes = query.scope === undefined ? readable : readable.filter((s) => s.scope === query.scope);
      const inactive = query.inactive === 'true';
      if (query.q === undefined) {
        const memories = await listMemories(store, {
          workspaceId: principal.workspaceId,
          scopes,
          kind: query.kind,
          limit: query.limit,
          includeInactive: inactive,
        });
        return c.json({ memories });
      }
      const hits = await searchMemories(store, {
        workspaceId: principal.workspaceId,
        query: query.q,
        scopes,
        limit: query.limit,
        kind: query.kind,
        includeSuperseded: inactive,
        includeExpired: inactive,
      });
      return c.json({ memories: hits.map((hit) => ({ ...hit.memory, score: hit.score })) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/memories',
      resource: 'memory',
      summary: 'Write a memory (merged into a near-duplicate, or superseding one)',
      tags,
      action: 'memories.write',
      body: createBody,
      responses: {
        200: { description: 'Merged into an existing memory', schema: writtenBody },
        201: { description: 'The new memory', schema: writtenBody },
      },
    },
    async (c, { body }) => {
      const principal = principalOf(c.get('principal'));
      const target = await writableScope(store, principal, body.scope, body.scopeId);
      const input: NewMemory = {
        kind: body.kind,
        content: body.content,
        subjects: body.subjects,
        context: body.context,
        ...target,
        provenance: { source: 'user', userId: principal.userId },
        confidence: body.confidence,
        importance: body.importance,
        occurredAt: body.occurredAt,
        validTo: body.validTo,
      };
      if (body.supersedes !== undefined) {
        await assertWritable(store, principal, await readableMemory(store, principal, body.supersedes));
        const result = await supersedeMemory(
          store,
          principal.workspaceId,
          body.supersedes,
          input,
          actorOf(principal),
        );
        return c.json({ memory: result.memory, merged: false, superseded: result.superseded }, 201);
      }
      const result = await createMemory(store, principal.workspaceId, input, actorOf(principal));
      return c.json({ memory: result.memory, merged: result.merged }, result.merged ? 200 : 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/memories/consolidate',
      resource: 'memory',
      summary: 'Merge duplicates, expire and rewrite blocks now instead of on the next worker pass',
      tags,
      action: 'memories.consolidate',
      query: noQuery,
      responses: { 200: { description: 'What consolidation changed', schema: looseObject } },
    },
    async (c) => c.json(await consolidateMemories(store)),
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/memories/:id',
      resource: 'memory',
      summary: 'A memory and its change history',
      tags,
      action: 'memories.read',
      query: noQuery,
      responses: {
        200: {
          description: 'The memory and its changes',
          schema: z.object({ memory: memorySchema, changes: z.array(memoryChangeSchema) }),
        },
      },
    },
    async (c, { params }) => {
      const principal = principalOf(c.get('principal'));
      const memory = await readableMemory(store, principal, params.id);
      const changes = await listMemoryChanges(store, principal.workspaceId, memory.id);
      return c.json({ memory, changes });
    },
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/memories/:id',
      resource: 'memory',
      summary: 'Edit a memory',
      tags,
      action: 'memories.write',
      body: patchBody,
      responses: { 200: { description: 'The edited memory', schema: memoryBody } },
    },
    async (c, { params, body: patch }) => {
      const principal = principalOf(c.get('principal'));
      const memory = await readableMemory(store, principal, params.id);
      await assertWritable(store, principal, memory);
      const updated = await updateMemory(store, principal.workspaceId, memory.id, patch, actorOf(principal));
      return c.json({ memory: updated });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/memories/:id',
      resource: 'memory',
      summary: 'Delete a memory',
      tags,
      action: 'memories.write',
      responses: { 200: { description: 'The deleted memory', schema: memoryBody } },
    },
    async (c, { params }) => {
      const principal = principalOf(c.get('principal'));
      const memory = await readableMemory(store, principal, params.id);
      await assertWritable(store, principal, memory);
      return c.json({
        memory: await deleteMemory(store, principal.workspaceId, memory.id, actorOf(principal)),
      });
    },
  );
  return api;
}
