import { z } from 'zod';
import { evalSuiteSchema } from '../../plugins/evals/eval-suite.ts';
import { timestamp } from './common-schemas.ts';

const suiteDefinition = evalSuiteSchema.meta({ id: 'EvalSuiteDefinition' });

/** A stored eval suite (`evals/eval-repo.ts` StoredSuite). */
export const evalSuiteRecordSchema = z
  .object({
    name: z.string(),
    agent: z.string(),
    definition: suiteDefinition,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'EvalSuite' });

/** One eval run of a suite against an agent version (`evals/eval-repo.ts` EvalRunRecord). */
export const evalRunSchema = z
  .object({
    id: z.string(),
    suiteName: z.string(),
    suite: suiteDefinition,
    agentId: z.string(),
    agentVersion: z.number().int(),
    userId: z.string().nullable(),
    status: z.enum(['running', 'completed']),
    passed: z.number().int().nullable(),
    total: z.number().int(),
    score: z.number().nullable(),
    createdAt: timestamp,
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'EvalRun' });

/** One case of an eval run: its run and, once scored, each criterion's result. */
export const evalCaseResultSchema = z
  .object({
    caseId: z.string(),
    position: z.number().int(),
    runId: z.string(),
    status: z.enum(['pending', 'scored']),
    passed: z.boolean().nullable(),
    score: z.number().nullable(),
    criteria: z
      .array(
        z.object({
          name: z.string(),
          kind: z.string(),
          passed: z.boolean(),
          score: z.number(),
          detail: z.string(),
        }),
      )
      .nullable(),
    runStatus: z.string().nullable(),
    answer: z.string().nullable(),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    costUsd: z.number().nullable(),
    latencyMs: z.number().nullable(),
    judgeUsage: z
      .object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() })
      .nullable(),
  })
  .meta({ id: 'EvalCaseResult' });

/** An eval run with its case results (`evals/eval-runner.ts` EvalRunView). */
export const evalRunViewSchema = z
  .object({ evalRun: evalRunSchema, cases: z.array(evalCaseResultSchema) })
  .meta({ id: 'EvalRunView' });

const comparedSide = z.object({
  passed: z.boolean().nullable(),
  score: z.number().nullable(),
  runId: z.string(),
});
const reportedRun = z.object({
  evalRunId: z.string(),
  agentVersion: z.number().int(),
  score: z.number().nullable(),
});

/** What changed between two eval runs (`evals/eval-compare.ts` RegressionReport). */
export const regressionReportSchema = z
  .object({
    before: reportedRun,
    after: reportedRun,
    better: z.array(z.string()),
    worse: z.array(z.string()),
    unchanged: z.array(z.string()),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    regressed: z.boolean().meta({ description: 'A case that passed before fails now' }),
    cases: z.array(
      z.object({
        caseId: z.string(),
        change: z.enum(['better', 'worse', 'unchanged', 'added', 'removed']),
        before: comparedSide.nullable(),
        after: comparedSide.nullable(),
        criteria: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'RegressionReport' });

/** A run whose online checks failed, escalated to a person (`evals/check-escalations.ts` CheckEscalation). */
export const checkEscalationSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    agentId: z.string(),
    userId: z.string().nullable(),
    failures: z.array(z.object({ criterion: z.string(), kind: z.string(), detail: z.string() })),
    status: z.enum(['open', 'resolved']),
    resolvedBy: z.string().nullable(),
    resolution: z.string().nullable(),
    createdAt: timestamp,
    resolvedAt: timestamp.nullable(),
  })
  .meta({ id: 'CheckEscalation' });
