import { z } from 'zod';
import { agentDefinitionSchema } from '../../core/agents/agent-definition.ts';
import { roleSchema } from '../../core/identity/roles.ts';
import { runInputSchema } from '../../core/kernel/journal-format.ts';

/**
 * The JSON shapes of the main resources as the API writes them (dates as ISO strings). They describe
 * responses in the OpenAPI document; test/client checks real responses against that document.
 */
/** A date as the API writes it: ISO 8601 with its offset. */
export const timestamp = z.iso.datetime({ offset: true });
/** The query of a route that takes none: any parameter is refused (a 400), not silently ignored. */
export const noQuery = z.strictObject({});
const anyObject = z.record(z.string(), z.unknown());

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable dotted code, e.g. `resource.not_found`' }),
    message: z.string(),
    details: anyObject.optional(),
  }),
});

export const agentSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    version: z.number().int(),
    definition: agentDefinitionSchema,
    createdAt: timestamp,
    updatedAt: timestamp,
    deletedAt: timestamp.nullable(),
  })
  .meta({ id: 'Agent' });

export const runStatusSchema = z
  .enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'budget_exceeded'])
  .meta({ id: 'RunStatus' });

const pauseBase = {
  turn: z.number().int(),
  callIndex: z.number().int(),
  tool: z.string(),
  message: z.string(),
};

/** Why a paused run waits (`kernel/run-record.ts` RunPause). */
export const runPauseSchema = z
  .discriminatedUnion('reason', [
    z.object({ reason: z.literal('tool_outcome_unknown'), ...pauseBase }),
    z.object({
      reason: z.literal('approval_required'),
      ...pauseBase,
      approvalId: z.string(),
      ruleId: z.string(),
    }),
    z.object({
      reason: z.literal('question'),
      ...pauseBase,
      question: z.string(),
      choices: z.array(z.string()).optional(),
      askedUser: z.string().optional(),
      askedRole: z.string().optional(),
      expiresAt: z.string(),
    }),
  ])
  .meta({ id: 'RunPause' });

export const runSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    agentId: z.string(),
    agentVersion: z.number().int(),
    userId: z.string().nullable(),
    status: runStatusSchema,
    priority: z.enum(['interactive', 'standard', 'background']),
    input: runInputSchema,
    output: z
      .object({
        text: z.string(),
        checks: anyObject
          .optional()
          .meta({ description: "The agent's online checks of the answer, when it has any" }),
      })
      .nullable(),
    error: z.object({ code: z.string(), message: z.string(), details: anyObject.optional() }).nullable(),
    pause: runPauseSchema.nullable(),
    usage: z.object({
      inputTokens: z.number(),
      outputTokens: z.number(),
      costUsd: z.number(),
      modelCalls: z.number(),
      toolCalls: z.number(),
    }),
    journalVersion: z.number().int(),
    attempt: z.number().int(),
    progressAttempt: z.number().int(),
    maxAttempts: z.number().int(),
    idempotencyKey: z.string().nullable(),
    leaseOwner: z.string().nullable(),
    leaseExpiresAt: timestamp.nullable(),
    cancelRequested: z.boolean(),
    conversationId: z.string().nullable().meta({ description: 'The conversation this run replies in' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'Run' });

/** One journal entry of a run (`kernel/journal-steps.ts` JournalStep): a model or tool call and what it gave. */
export const runStepSchema = z
  .object({
    turn: z.number().int(),
    callIndex: z.number().int(),
    kind: z.string().meta({ description: 'model, tool, pause, context, compaction, extraction or check' }),
    status: z.enum(['started', 'completed', 'failed', 'unknown']),
    attempt: z.number().int(),
    idempotencyKey: z.string(),
    name: z.string().nullable().meta({ description: "The tool's name (tool steps)" }),
    inputsHash: z.string(),
    input: z.unknown(),
    result: z.unknown(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
    startedAt: timestamp.meta({
      description: 'When the attempt that wrote the step began it (a model call sent, a tool started)',
    }),
    finishedAt: timestamp.nullable(),
    durationMs: z.number().nullable().meta({
      description: 'finishedAt less startedAt, in milliseconds; null while the step is not finished',
    }),
  })
  .meta({ id: 'RunStep' });

export const apiKeySchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    userId: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    expiresAt: timestamp.nullable(),
    scope: z.enum(['full', 'read']),
  })
  .meta({ id: 'ApiKey' });

export const workspaceSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestamp })
  .meta({ id: 'Workspace' });

export const memberSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), createdAt: timestamp, role: roleSchema })
  .meta({ id: 'Member' });

const sourceError = z.object({ code: z.string(), message: z.string() });

export const knowledgeSourceSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    spaceId: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    config: anyObject,
    scheduleMinutes: z.number().int().nullable().meta({ description: 'Re-sync every so many minutes' }),
    schedule: z
      .object({ cron: z.string(), timezone: z.string() })
      .nullable()
      .meta({ description: 'Re-sync at each firing of this cron schedule, read in `timezone`' }),
    nextSyncAt: timestamp.nullable().meta({ description: "The cron schedule's next firing" }),
    status: z.enum(['idle', 'syncing', 'ok', 'failed']),
    lastSyncAt: timestamp.nullable(),
    lastError: sourceError.nullable(),
    lastCounts: z
      .object({
        added: z.number().int(),
        updated: z.number().int(),
        unchanged: z.number().int(),
        deleted: z.number().int(),
        failed: z.number().int(),
      })
      .nullable(),
    createdBy: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'KnowledgeSource' });

/** A JSON object whose shape is described in prose only. */
export const looseObject = anyObject;
