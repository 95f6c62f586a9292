import { z } from 'zod';
import { runSpace } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Embedder } from '../../core/models/embedder.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolCallContext, type ToolDefinition } from '../../core/tools/tool.ts';
import {
  type AgentPrincipal,
  agentReadableScopes,
  agentWritableScopes,
  scopeIncludes,
} from './memory-access.ts';
import {
  type MemoryActor,
  type MemoryRecord,
  memoryContentSchema,
  memoryKindSchema,
  memorySubjectsSchema,
  type NewMemory,
  type ScopeRef,
  unitIntervalSchema,
} from './memory-record.ts';
import { createMemory, deleteMemory, getMemory, supersedeMemory, updateMemory } from './memory-repo.ts';
import { searchMemories } from './memory-search.ts';
import { pinNoteTool } from './pin-note-tool.ts';

/** The run's agent as a memory principal, with the space it shares memory in (looked up at each call). */
async function agentOf(store: Store, context: ToolCallContext): Promise<AgentPrincipal> {
  const principal = { workspaceId: context.workspaceId, agentId: context.agentId, userId: context.userId };
  return { ...principal, spaceId: await runSpace(store, { ...principal, runId: context.runId }) };
}

const actorOf = (context: ToolCallContext): MemoryActor => ({
  userId: context.userId,
  agentId: context.agentId,
  runId: context.runId,
  requestKey: context.idempotencyKey,
});

/** The turn of the call, from its idempotency key `<run>:<turn>:<call>`. */
function stepOf(context: ToolCallContext): number | undefined {
  const turn = /:(\d+):\d+$/.exec(context.idempotencyKey)?.[1];
  return turn === undefined ? undefined : Number(turn);
}

/** What a model sees of a memory: enough to cite it (id), date it and weigh it (trust). */
const viewOf = (memory: MemoryRecord) => ({
  id: memory.id,
  kind: memory.kind,
  content: memory.content,
  subjects: memory.subjects,
  scope: memory.scope,
  trust: memory.trust,
  occurredAt: memory.occurredAt?.toISOString() ?? null,
  createdAt: memory.createdAt.toISOString(),
  updatedAt: memory.updatedAt.toISOString(),
});

/** What a write answers: which memory, where and when; no content. */
const receiptOf = (memory: MemoryRecord) => ({
  id: memory.id,
  kind: memory.kind,
  scope: memory.scope,
  createdAt: memory.createdAt.toISOString(),
  updatedAt: memory.updatedAt.toISOString(),
});

async function writableTarget(store: Store, context: ToolCallContext, scope: ScopeRef['scope']) {
  const writable = await agentWritableScopes(store, await agentOf(store, context));
  const target = writable.find((candidate) => candidate.scope === scope);
  if (target === undefined) {
    throw new AgentOsError('auth.forbidden', `This agent may not write ${scope}-scope memories in this run`);
  }
  return target;
}

/** A memory the agent may change: it must live in a scope the agent may write. */
async function changeableMemory(store: Store, context: ToolCallContext, id: string): Promise<MemoryRecord> {
  const memory = await getMemory(store, context.workspaceId, id).catch(() => undefined);
  const writable = await agentWritableScopes(store, await agentOf(store, context));
  if (memory === undefined || !scopeIncludes(writable, memory)) {
    throw new AgentOsError('resource.not_found', `No memory "${id}" that this agent may change`);
  }
  return memory;
}

const rememberInput = z.strictObject({
  content: memoryContentSchema.describe('The fact, decision, preference, procedure or event, self-contained'),
  kind: memoryKindSchema.default('fact'),
  scope: z
    .enum(['agent', 'user', 'space', 'workspace'])
    .default('agent')
    .describe(
      "agent: only this agent; user: every agent working for this user; space: every agent of this agent's space, for its members; workspace: everyone",
    ),
  subjects: memorySubjectsSchema.default([]).describe('People, projects or things it is about'),
  importance: unitIntervalSchema.default(0.5),
  occurredAt: z.iso.datetime({ offset: true }).optional().describe('When it happened, if it is an event'),
  supersedes: z
    .string()
    .min(1)
    .optional()
    .describe('The id of a memory this one replaces (a changed decision)'),
});

const recallInput = z.strictObject({
  query: z.string().trim().min(1).max(1_000),
  limit: z.number().int().min(1).max(25).default(5),
  kind: memoryKindSchema.optional(),
});

const updateInput = z
  .strictObject({
    id: z.string().min(1),
    content: memoryContentSchema.optional(),
    subjects: memorySubjectsSchema.optional(),
    importance: unitIntervalSchema.optional(),
  })
  .refine((input) => Object.keys(input).length > 1, { message: 'give at least one field to change' });

const forgetInput = z.strictObject({ id: z.string().min(1) });

/**
 * `remember`, `recall`, `update_memory`, `forget` and `pin_note`, acting with the run's agent and user. Recalled
 * memories may hold text from tool output or documents, so `recall` output is untrusted (spotlighted).
 */
export function memoryTools(
  store: Store,
  options: { embedder?: Embedder | undefined } = {},
): ToolDefinition[] {
  return [
    defineTool({
      name: 'remember',
      description:
        'Store something worth knowing in later runs. Near-duplicates are merged; pass `supersedes` when it replaces an earlier memory.',
      inputSchema: rememberInput,
      idempotent: true,
      effect: 'write',
      stakes: 'low',
      // Only ids and flags come back, never the stored text: the output carries no outside content.
      trustedOutput: true,
      execute: async (input, context) => {
        const target = await writableTarget(store, context, input.scope);
        const step = stepOf(context);
        const memory: NewMemory = {
          kind: input.kind,
          content: input.content,
          subjects: input.subjects,
          ...target,
          provenance: {
            source: 'agent_inferred',
            runId: context.runId,
            agentId: context.agentId,
            ...(step === undefined ? {} : { step }),
            ...(context.userId === null ? {} : { userId: context.userId }),
          },
          importance: input.importance,
          occurredAt: input.occurredAt === undefined ? null : new Date(input.occurredAt),
        };
        if (input.supersedes !== undefined) {
          await changeableMemory(store, context, input.supersedes);
          const result = await supersedeMemory(
            store,
            context.workspaceId,
            input.supersedes,
            memory,
            actorOf(context),
          );
          return { ...receiptOf(result.memory), merged: false, superseded: result.superseded.id };
        }
        const result = await createMemory(store, context.workspaceId, memory, actorOf(context));
        return { ...receiptOf(result.memory), merged: result.merged };
      },
    }),
    defineTool({
      name: 'recall',
      description:
        "Search long-term memory (this agent's, this user's and the workspace's) and return the best matches with ids and dates.",
      inputSchema: recallInput,
      idempotent: true,
      effect: 'read',
      stakes: 'low',
      execute: async (input, context) => {
        const hits = await searchMemories(store, {
          workspaceId: context.workspaceId,
          query: input.query,
          scopes: agentReadableScopes(await agentOf(store, context)),
          embedder: options.embedder,
          limit: input.limit,
          kind: input.kind,
        });
        return { memories: hits.map((hit) => ({ ...viewOf(hit.memory), score: hit.score })) };
      },
    }),
    defineTool({
      name: 'update_memory',
      description: 'Correct a memory in place (its content, subjects or importance).',
      inputSchema: updateInput,
      idempotent: true,
      effect: 'write',
      stakes: 'low',
      trustedOutput: true,
      execute: async (input, context) => {
        await changeableMemory(store, context, input.id);
        const memory = await updateMemory(
          store,
          context.workspaceId,
          input.id,
          { content: input.content, subjects: input.subjects, importance: input.importance },
          actorOf(context),
        );
        return receiptOf(memory);
      },
    }),
    defineTool({
      name: 'forget',
      description: 'Delete a memory that is wrong or no longer wanted.',
      inputSchema: forgetInput,
      idempotent: true,
      effect: 'write',
      stakes: 'low',
      trustedOutput: true,
      execute: async (input, context) => {
        await changeableMemory(store, context, input.id);
        const memory = await deleteMemory(store, context.workspaceId, input.id, actorOf(context));
        return { forgotten: memory.id };
      },
    }),
    pinNoteTool(store),
  ];
}
