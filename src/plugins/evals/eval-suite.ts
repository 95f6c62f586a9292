import { z } from 'zod';
import { agentNameSchema } from '../../core/agents/agent-definition.ts';
import { criterionSchema } from '../../core/agents/criteria.ts';
import { AgentOsError, describeIssues } from '../../core/errors/agent-os-error.ts';
import { handoffSchema } from '../../core/kernel/handoff.ts';

const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,99}$/,
    'lowercase letters, digits, dots, dashes and underscores, at most 100',
  );

const evalCaseSchema = z.strictObject({
  id: slug,
  /** The task the agent is given. */
  input: z.string().min(1).max(200_000),
  /** Background put ahead of the task ("Context: …"). */
  context: z.string().max(100_000).optional(),
  /** A handoff, as a delegating agent would pass it (rendered ahead of the task). */
  handoff: handoffSchema.optional(),
  criteria: z.array(criterionSchema).max(20).default([]),
});

/** An eval suite: cases for one agent, each with the criteria its answer must meet. */
export const evalSuiteSchema = z
  .strictObject({
    name: slug,
    agent: agentNameSchema,
    description: z.string().max(2_000).optional(),
    /** Applied to every case, before the case's own. */
    criteria: z.array(criterionSchema).max(20).default([]),
    cases: z.array(evalCaseSchema).min(1).max(200),
  })
  .superRefine((suite, ctx) => {
    const seen = new Set<string>();
    for (const [index, evalCase] of suite.cases.entries()) {
      if (seen.has(evalCase.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['cases', index, 'id'],
          message: `duplicate case id "${evalCase.id}"`,
        });
      }
      seen.add(evalCase.id);
      if (suite.criteria.length + evalCase.criteria.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['cases', index, 'criteria'],
          message: 'the case checks nothing',
        });
      }
    }
  });

export type EvalSuite = z.output<typeof evalSuiteSchema>;
export type EvalSuiteInput = z.input<typeof evalSuiteSchema>;
export type EvalCase = EvalSuite['cases'][number];

/** Parses a suite; every problem is reported with its path (`cases.1.criteria.0.pattern: …`). */
export function parseSuite(value: unknown): EvalSuite {
  const result = evalSuiteSchema.safeParse(value);
  if (!result.success) {
    throw new AgentOsError('request.invalid', `Invalid eval suite: ${describeIssues(result.error.issues)}`, {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    });
  }
  return result.data;
}

/** The task a case's run is given. */
export function caseTask(evalCase: EvalCase): string {
  return evalCase.context === undefined
    ? evalCase.input
    : `Context:\n${evalCase.context}\n\nTask:\n${evalCase.input}`;
}
