import { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../../core/agents/agent-visibility.ts';
import type { Principal } from '../../../core/identity/api-keys.ts';
import { listEscalations, resolveEscalation } from '../../../plugins/evals/check-escalations.ts';
import { compareEvalRuns } from '../../../plugins/evals/eval-compare.ts';
import {
  deleteSuite,
  getEvalRun,
  getSuite,
  listEvalRuns,
  listSuites,
  saveSuite,
} from '../../../plugins/evals/eval-repo.ts';
import { settleEvalRun, startEvalRun, waitForEvalRun } from '../../../plugins/evals/eval-runner.ts';
import { parseSuite } from '../../../plugins/evals/eval-suite.ts';
import { agentResource } from '../../../plugins/policy/cedar/cedar-entities.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import {
  checkEscalationSchema,
  evalRunSchema,
  evalRunViewSchema,
  evalSuiteRecordSchema,
  regressionReportSchema,
} from '../../openapi/eval-schemas.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { assertEvalRunVisible, assertSuiteVisible, hiddenAgents } from '../eval-visibility.ts';

/** Validated by parseSuite (its errors name the suite), so the route itself takes any JSON. */
const suiteBody = z.unknown().meta({
  description:
    'An eval suite: `name`, `agent`, optional `description` and `criteria`, and `cases` (each with an `id`, an `input` task, optional `context` or `handoff`, and its own `criteria`)',
});

const startBody = z.strictObject({
  /** The agent version to evaluate; its latest when absent. */
  agentVersion: z.number().int().min(1).optional(),
  /** Answer once every case is scored (up to waitTimeoutMs) instead of at once. */
  wait: z.boolean().default(false),
  waitTimeoutMs: z.number().int().min(1).max(3_600_000).default(600_000),
});

const runsQuery = z.strictObject({
  suite: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const compareQuery = z.strictObject({ before: z.string().min(1), after: z.string().min(1) });

const escalationsQuery = z.strictObject({ status: z.enum(['open', 'resolved']).optional() });

const resolveBody = z.strictObject({ resolution: z.string().trim().min(1).max(4_000) });

const suiteResponse = z.object({ suite: evalSuiteRecordSchema });
const runsResponse = z.object({ runs: z.array(evalRunSchema) });
const escalationResponse = z.object({ escalation: checkEscalationSchema });
const tags = ['evals'];

const reviewerOf = (principal: Principal) => ({
  workspaceId: principal.workspaceId,
  userId: principal.userId,
  isAdmin: principal.role === 'admin',
});

/** Eval suites (builders write them), eval runs and their regression reports, and check escalations. */
export function evalRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'post',
      path: '/evals/suites',
      resource: 'eval',
      summary: 'Create or replace an eval suite (cases and criteria for one agent)',
      tags,
      action: 'evals.manage',
      body: suiteBody,
      responses: {
        200: { description: 'The replaced suite', schema: suiteResponse },
        201: { description: 'The new suite', schema: suiteResponse },
      },
    },
    async (c, { body }) => {
      const suite = parseSuite(body);
      const principal = c.get('principal');
      const agent = await getAgent(kernel.store, principal.workspaceId, suite.agent);
      await assertUserSeesAgent(kernel.store, agent, principal.userId);
      const saved = await saveSuite(kernel.store, principal.workspaceId, principal.userId, suite);
      return c.json({ suite: saved.suite }, saved.created ? 201 : 200);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/suites',
      resource: 'eval',
      summary: "The workspace's eval suites",
      tags,
      action: 'evals.read',
      responses: {
        200: { description: 'Suites', schema: z.object({ suites: z.array(evalSuiteRecordSchema) }) },
      },
    },
    async (c) => {
      const hidden = await hiddenAgents(c, kernel.store);
      const suites = await listSuites(kernel.store, c.get('principal').workspaceId);
      return c.json({ suites: suites.filter((suite) => !hidden.has(suite.agent)) });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/suites/:name',
      resource: 'eval',
      summary: 'One eval suite with its latest 20 eval runs',
      tags,
      action: 'evals.read',
      responses: {
        200: {
          description: 'The suite and its runs',
          schema: z.object({ suite: evalSuiteRecordSchema, runs: z.array(evalRunSchema) }),
        },
      },
    },
    async (c, { params }) => {
      const { workspaceId } = c.get('principal');
      const suite = await getSuite(kernel.store, workspaceId, params.name);
      assertSuiteVisible(await hiddenAgents(c, kernel.store), suite);
      return c.json({ suite, runs: await listEvalRuns(kernel.store, workspaceId, suite.name, 20) });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/evals/suites/:name',
      resource: 'eval',
      summary: 'Delete an eval suite',
      tags,
      action: 'evals.manage',
      responses: {
        200: { description: 'The deleted suite name', schema: z.object({ deleted: z.string() }) },
      },
    },
    async (c, { params }) => {
      const suite = await getSuite(kernel.store, c.get('principal').workspaceId, params.name);
      assertSuiteVisible(await hiddenAgents(c, kernel.store), suite);
      await deleteSuite(kernel.store, c.get('principal').workspaceId, params.name);
      return c.json({ deleted: params.name });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/evals/suites/:name/runs',
      resource: 'eval',
      summary:
        "Run a suite against its agent (one run per case); with `wait: true` answers once they're scored",
      description: 'Also needs `runs.start` on the agent.',
      tags,
      action: 'evals.run',
      body: startBody,
      responses: {
        200: {
          description: 'The eval run, scored (or as far as it got by the timeout)',
          schema: evalRunViewSchema,
        },
        202: { description: 'The eval run, started; poll GET /evals/runs/:id', schema: evalRunViewSchema },
      },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const suite = await getSuite(kernel.store, principal.workspaceId, params.name);
      assertSuiteVisible(await hiddenAgents(c, kernel.store), suite);
      const agent = await getAgent(kernel.store, principal.workspaceId, suite.agent);
      await c.get('authorizer').assert('runs.start', agentResource(agent));
      const started = await startEvalRun(kernel, {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        suiteName: suite.name,
        agentVersion: body.agentVersion,
      });
      if (!body.wait) return c.json(started, 202);
      const view = await waitForEvalRun(kernel, principal.workspaceId, started.evalRun.id, {
        timeoutMs: body.waitTimeoutMs,
        signal: c.req.raw.signal,
      });
      return c.json(view, 200);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/runs',
      resource: 'eval',
      summary: 'Eval runs, newest first, optionally of one suite',
      tags,
      action: 'evals.read',
      query: runsQuery,
      responses: { 200: { description: 'Eval runs', schema: runsResponse } },
    },
    async (c, { query }) => {
      const runs = await listEvalRuns(kernel.store, c.get('principal').workspaceId, query.suite, query.limit);
      const hidden = await hiddenAgents(c, kernel.store);
      return c.json({ runs: runs.filter((run) => !hidden.has(run.agentId)) });
    },
  );

  // Reading an eval run scores the cases whose runs have ended since.
  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/runs/:id',
      resource: 'eval',
      summary: 'One eval run with its case results (scores the cases whose runs have ended since)',
      tags,
      action: 'evals.read',
      responses: { 200: { description: 'The eval run', schema: evalRunViewSchema } },
    },
    async (c, { params }) => {
      const { workspaceId } = c.get('principal');
      assertEvalRunVisible(
        await hiddenAgents(c, kernel.store),
        await getEvalRun(kernel.store, workspaceId, params.id),
      );
      return c.json(await settleEvalRun(kernel, workspaceId, params.id, c.req.raw.signal));
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/compare',
      resource: 'eval',
      summary: 'Regression report between two eval runs',
      tags,
      action: 'evals.read',
      query: compareQuery,
      responses: {
        200: {
          description: 'What got better or worse from `before` to `after`',
          schema: z.object({ report: regressionReportSchema }),
        },
      },
    },
    async (c, { query }) => {
      const { workspaceId } = c.get('principal');
      const hidden = await hiddenAgents(c, kernel.store);
      for (const id of [query.before, query.after])
        assertEvalRunVisible(hidden, await getEvalRun(kernel.store, workspaceId, id));
      const before = await settleEvalRun(kernel, workspaceId, query.before, c.req.raw.signal);
      const after = await settleEvalRun(kernel, workspaceId, query.after, c.req.raw.signal);
      return c.json({ report: compareEvalRuns(before, after) });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/evals/escalations',
      resource: 'eval',
      summary: 'Runs whose answers failed their online checks (yours, or all for an admin)',
      tags,
      action: 'evals.read',
      query: escalationsQuery,
      responses: {
        200: {
          description: 'Escalations',
          schema: z.object({ escalations: z.array(checkEscalationSchema) }),
        },
      },
    },
    async (c, { query }) => {
      const escalations = await listEscalations(kernel.store, reviewerOf(c.get('principal')), query.status);
      return c.json({ escalations });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/evals/escalations/:id/resolve',
      resource: 'eval',
      summary: 'Resolve a check escalation with a note',
      tags,
      action: 'approvals.decide',
      body: resolveBody,
      responses: { 200: { description: 'The resolved escalation', schema: escalationResponse } },
    },
    async (c, { params, body }) => {
      const escalation = await resolveEscalation(
        kernel.store,
        reviewerOf(c.get('principal')),
        params.id,
        body.resolution,
      );
      return c.json({ escalation });
    },
  );
  return api;
}
