import { z } from 'zod';
import { modelNameSchema } from '../config/model-name.ts';
import { toolNameReferenceSchema } from '../tools/tool-name.ts';
import { runChecksSchema } from './criteria.ts';
import { skillRefSchema } from './skill-definition.ts';

export const agentNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    'lowercase letters, digits and dashes, starting with a letter, at most 63 characters',
  );

export const agentLimitsSchema = z.strictObject({
  /** Model turns before the run ends as budget_exceeded. */
  maxSteps: z.number().int().min(1).max(1_000).default(20),
  /** Input + output tokens over the whole run. */
  maxTokens: z.number().int().min(1).optional(),
  maxCostUsd: z.number().positive().optional(),
  /** Wall-clock budget of the whole run, pauses excluded. */
  timeoutMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 24 * 3_600_000)
    .optional(),
  /** Per tool call, unless the tool sets its own. */
  toolTimeoutMs: z.number().int().min(10).max(3_600_000).default(60_000),
  /** Invalid tool calls (bad JSON, wrong arguments, unknown tool) answered to the model before the run fails. */
  maxInvalidToolCalls: z.number().int().min(0).max(100).default(3),
});

/** How the kernel builds the agent's context and what it keeps after a run. */
export const agentMemorySchema = z.strictObject({
  /** Trusted long-term memories retrieved for the task and put into the context at the start of a run. */
  recall: z.number().int().min(0).max(25).default(5),
  /** Prompt token budget; the model's context window minus its output reserve when absent. */
  contextTokens: z.number().int().min(256).max(10_000_000).optional(),
  /** After a successful run, a model call records the run's conclusions and decisions as memories. */
  extract: z.boolean().default(false),
});

/** What a builder writes; every update stores a new version and runs pin the version they started with. */
export const agentDefinitionSchema = z.strictObject({
  name: agentNameSchema,
  /** What the agent is for, in a sentence or two: routing matches tasks against it. */
  description: z.string().trim().min(1).max(2_000),
  instructions: z.string().max(100_000).default(''),
  model: modelNameSchema,
  /** Tool names (`http_fetch`, `<server>__<tool>`); `<server>.<tool>` from before the rule is read as `<server>__<tool>`. */
  tools: z.array(toolNameReferenceSchema).max(128).default([]),
  /** The space the agent belongs to (id or name; stored as the id): who may run it, whose memory it shares. */
  space: z.string().min(1).max(200).optional(),
  /** Knowledge source names `search_knowledge` may search (least privilege: none when absent); the run's user must read them too. */
  knowledge: z.array(z.string().min(1).max(200)).max(64).optional(),
  /** Connected database names `query_database` may query (none when absent); the run's user must see them too. */
  databases: z.array(z.string().min(1).max(200)).max(64).optional(),
  /** Skills the agent enables, `name` or `name@version`; saving through the API pins each to a version. */
  skills: z.array(skillRefSchema).max(32).optional(),
  limits: agentLimitsSchema.default(() => agentLimitsSchema.parse({})),
  memory: agentMemorySchema.default(() => agentMemorySchema.parse({})),
  /** Criteria checked at the end of every run, and what a failure leads to (evals/run-checks.ts). */
  checks: runChecksSchema.optional(),
});

export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>;
export type AgentDefinition = z.output<typeof agentDefinitionSchema>;
export type AgentLimits = z.output<typeof agentLimitsSchema>;
export type AgentMemorySettings = z.output<typeof agentMemorySchema>;
