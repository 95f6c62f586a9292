import type { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../../agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../agents/agent-visibility.ts';
import { listEscalations, resolveEscalation } from '../../evals/check-escalations.ts';
import { compareEvalRuns } from '../../evals/eval-compare.ts';
import { deleteSuite, getSuite, listEvalRuns, listSuites, saveSuite } from '../../evals/eval-repo.ts';
import { settleEvalRun, startEvalRun, waitForEvalRun } from '../../evals/eval-runner.ts';
import { parseSuite } from '../../evals/eval-suite.ts';
import type { Principal } from '../../identity/api-keys.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { agentEntity } from '../../policy/cedar/cedar-entities.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';

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

const reviewerOf = (principal: Principal) => ({
  workspaceId: principal.workspaceId,
  userId: principal.userId,
  isAdmin: principal.role === 'admin',
});

/** Eval suites (builders write them), eval runs and their regression reports, and check escalations. */
export function evalRoutes(kernel: Kernel): (api: Hono<AppEnv>) => void {
  return (api) => {
    api.post('/evals/suites', authorizeAction('evals.manage'), async (c) => {
      const suite = parseSuite(await readJson(c, z.unknown()));
      const principal = c.get('principal');
      const agent = await getAgent(kernel.store, principal.workspaceId, suite.agent);
      await assertUserSeesAgent(kernel.store, agent, principal.userId);
      const saved = await saveSuite(kernel.store, principal.workspaceId, principal.userId, suite);
      return c.json({ suite: saved.suite }, saved.created ? 201 : 200);
    });

    api.get('/evals/suites', authorizeAction('evals.read'), async (c) =>
      c.json({ suites: await listSuites(kernel.store, c.get('principal').workspaceId) }),
    );

    api.get('/evals/suites/:name', authorizeAction('evals.read'), async (c) => {
      const { workspaceId } = c.get('principal');
      const suite = await getSuite(kernel.store, workspaceId, c.req.param('name'));
      return c.json({ suite, runs: await listEvalRuns(kernel.store, workspaceId, suite.name, 20) });
    });

    api.delete('/evals/suites/:name', authorizeAction('evals.manage'), async (c) => {
      await deleteSuite(kernel.store, c.get('principal').workspaceId, c.req.param('name'));
      return c.json({ deleted: c.req.param('name') });
    });

    api.post('/evals/suites/:name/runs', authorizeAction('evals.run'), async (c) => {
      const body = await readJson(c, startBody);
      const principal = c.get('principal');
      const suite = await getSuite(kernel.store, principal.workspaceId, c.req.param('name'));
      const agent = await getAgent(kernel.store, principal.workspaceId, suite.agent);
      await c
        .get('authorizer')
        .assert(
          'runs.start',
          agentEntity({ agentId: agent.id, name: agent.name, workspaceId: agent.workspaceId }),
        );
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
    });

    api.get('/evals/runs', authorizeAction('evals.read'), async (c) => {
      const query = readQuery(c, runsQuery);
      const runs = await listEvalRuns(kernel.store, c.get('principal').workspaceId, query.suite, query.limit);
      return c.json({ runs });
    });

    // Reading an eval run scores the cases whose runs have ended since.
    api.get('/evals/runs/:id', authorizeAction('evals.read'), async (c) =>
      c.json(
        await settleEvalRun(kernel, c.get('principal').workspaceId, c.req.param('id'), c.req.raw.signal),
      ),
    );

    api.get('/evals/compare', authorizeAction('evals.read'), async (c) => {
      const query = readQuery(c, compareQuery);
      const { workspaceId } = c.get('principal');
      const before = await settleEvalRun(kernel, workspaceId, query.before, c.req.raw.signal);
      const after = await settleEvalRun(kernel, workspaceId, query.after, c.req.raw.signal);
      return c.json({ report: compareEvalRuns(before, after) });
    });

    api.get('/evals/escalations', authorizeAction('evals.read'), async (c) => {
      const query = readQuery(c, escalationsQuery);
      const escalations = await listEscalations(kernel.store, reviewerOf(c.get('principal')), query.status);
      return c.json({ escalations });
    });

    api.post('/evals/escalations/:id/resolve', authorizeAction('approvals.decide'), async (c) => {
      const body = await readJson(c, resolveBody);
      const escalation = await resolveEscalation(
        kernel.store,
        reviewerOf(c.get('principal')),
        c.req.param('id'),
        body.resolution,
      );
      return c.json({ escalation });
    });
  };
}
