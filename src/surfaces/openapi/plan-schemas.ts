import { z } from 'zod';
import { planDefinitionSchema } from '../../plugins/orchestration/plan-definition.ts';
import { looseObject, timestamp } from './common-schemas.ts';

const planError = z.object({ code: z.string(), message: z.string(), details: looseObject.optional() });

/** A plan as the API writes it (`orchestration/plan-repo.ts` PlanRecord). */
export const planSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    userId: z.string().nullable(),
    parentRunId: z.string().nullable(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    definition: planDefinitionSchema.meta({ id: 'PlanDefinition' }),
    error: planError.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'Plan' });

/** Where one node of a plan stands (`orchestration/plan-repo.ts` PlanNodeRecord). */
export const planNodeStateSchema = z
  .object({
    nodeId: z.string(),
    status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
    attempt: z.number().int(),
    runId: z.string().nullable(),
    output: z.unknown().meta({ description: "The node's output once it succeeded" }),
    error: planError.nullable(),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable(),
  })
  .meta({ id: 'PlanNodeState' });

/** A plan and its nodes, the answer of every route that acts on one plan. */
export const planViewSchema = z
  .object({ plan: planSchema, nodes: z.array(planNodeStateSchema) })
  .meta({ id: 'PlanView' });
