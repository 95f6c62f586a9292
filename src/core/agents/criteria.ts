import { z } from 'zod';
import { modelNameSchema } from '../config/model-name.ts';

/**
 * What an answer is checked against: the criteria of eval cases and of an agent's online checks. Only the
 * shapes live here (agents/ imports them); evaluating them is evaluate-criteria.ts.
 */

const label = z.string().trim().min(1).max(200).optional();

const exactCriterion = z.strictObject({
  kind: z.literal('exact'),
  name: label,
  value: z.string().max(100_000),
  /** Compare without leading and trailing whitespace. */
  trim: z.boolean().default(true),
  caseSensitive: z.boolean().default(true),
});

const regexCriterion = z
  .strictObject({
    kind: z.literal('regex'),
    name: label,
    pattern: z.string().min(1).max(10_000),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'only the flags i, m, s and u')
      .default(''),
  })
  .superRefine((value, ctx) => {
    try {
      new RegExp(value.pattern, value.flags);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
    }
  });

const containsCriterion = z.strictObject({
  kind: z.literal('contains'),
  name: label,
  values: z.array(z.string().min(1).max(10_000)).min(1).max(100),
  mode: z.enum(['all', 'any']).default('all'),
  caseSensitive: z.boolean().default(false),
});

const jsonSchemaCriterion = z
  .strictObject({
    kind: z.literal('json_schema'),
    name: label,
    /** A JSON Schema the answer (parsed as JSON, a fenced ```json block allowed) must satisfy. */
    schema: z.record(z.string(), z.unknown()),
  })
  .superRefine((value, ctx) => {
    try {
      z.fromJSONSchema(value.schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: `not a usable JSON Schema: ${(error as Error).message}`,
      });
    }
  });

const expectedToolCall = z.strictObject({
  name: z.string().min(1).max(200),
  /** A subset of the call's arguments: each given key must be present with an equal (deeply) value. */
  arguments: z.record(z.string(), z.unknown()).optional(),
});

const toolCallsCriterion = z.strictObject({
  kind: z.literal('tool_calls'),
  name: label,
  calls: z.array(expectedToolCall).min(1).max(100),
  /** `in_order`: the calls appear in this order (others may come between); `any_order`: each appears once. */
  order: z.enum(['in_order', 'any_order']).default('in_order'),
  /** No calls besides the expected ones. */
  exclusive: z.boolean().default(false),
});

const llmJudgeCriterion = z.strictObject({
  kind: z.literal('llm_judge'),
  name: label,
  rubric: z.string().trim().min(1).max(20_000),
  /** The judge; the agent's own model when absent. */
  model: modelNameSchema.optional(),
  /** The least score (0..1) that passes. */
  threshold: z.number().min(0).max(1).default(0.7),
});

export const criterionSchema = z.discriminatedUnion('kind', [
  exactCriterion,
  regexCriterion,
  containsCriterion,
  jsonSchemaCriterion,
  toolCallsCriterion,
  llmJudgeCriterion,
]);
export type Criterion = z.output<typeof criterionSchema>;
export type CriterionInput = z.input<typeof criterionSchema>;
export type CriterionKind = Criterion['kind'];
export type ExpectedToolCall = z.output<typeof expectedToolCall>;

/** What an agent declares to be checked at the end of every run, and what a failure leads to. */
export const runChecksSchema = z.strictObject({
  criteria: z.array(criterionSchema).min(1).max(20),
  /** `flag`: mark the run; `retry`: start the task again with the failure reasons; `escalate`: ask a person. */
  onFail: z.enum(['flag', 'retry', 'escalate']).default('flag'),
  /** Retries of one task (the original run not counted). */
  maxRetries: z.number().int().min(1).max(5).default(1),
});
export type RunChecksDefinition = z.output<typeof runChecksSchema>;

/** How a criterion is named in results: its `name`, else its kind and position. */
export function criterionLabel(criterion: Criterion, index: number): string {
  return criterion.name ?? `${criterion.kind}#${index + 1}`;
}
