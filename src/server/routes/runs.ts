import type { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../../agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../agents/agent-visibility.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { appendRunEvent } from '../../kernel/run-events.ts';
import { listRunSteps } from '../../kernel/run-journal.ts';
import { getRun, listRuns, requestCancel, resumeRun } from '../../kernel/run-repo.ts';
import { submitRun, waitForRun } from '../../kernel/run-service.ts';
import { orchestrationRoutes } from '../../orchestration/orchestration-routes.ts';
import { routeTask } from '../../orchestration/task-router.ts';
import { agentEntity } from '../../policy/cedar/cedar-entities.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { parseWith, readJson, readQuery } from '../validate.ts';
import { approvalRoutes } from './approvals.ts';
import { streamRunEvents } from './run-events-stream.ts';

const priority = z.enum(['interactive', 'standard', 'background']);

const startRunBody = z.strictObject({
  /** Absent: the task is routed to an agent (orchestration/task-router.ts). */
  agent: z.string().min(1).max(200).optional(),
  task: z.string().min(1).max(200_000),
  priority: priority.default('interactive'),
  /** Wait for the run to end (or pause) before answering, up to waitTimeoutMs. */
  wait: z.boolean().default(false),
  waitTimeoutMs: z.number().int().min(1).max(600_000).default(120_000),
});

const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters')
  .optional();

const listQuery = z.strictObject({
  status: z
    .enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'budget_exceeded'])
    .optional(),
  agent: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const resumeBody = z.strictObject({
  decision: z
    .discriminatedUnion('action', [
      z.strictObject({ action: z.literal('retry') }),
      z.strictObject({ action: z.literal('assume_done'), output: z.unknown().optional() }),
      z.strictObject({ action: z.literal('fail'), reason: z.string().max(2_000).optional() }),
    ])
    .optional(),
});

export function runRoutes(kernel: Kernel): (api: Hono<AppEnv>) => void {
  return (api) => {
    api.post('/runs', async (c) => {
      const body = await readJson(c, startRunBody);
      const idempotencyKey = parseWith(
        idempotencyKeyHeader,
        c.req.header('idempotency-key'),
        'Idempotency-Key header',
      );
      const principal = c.get('principal');
      const route =
        body.agent === undefined
          ? await routeTask(kernel, principal.workspaceId, body.task, c.req.raw.signal, principal.userId)
          : undefined;
      const target = await getAgent(kernel.store, principal.workspaceId, route?.agent ?? body.agent ?? '');
      await assertUserSeesAgent(kernel.store, target, principal.userId);
      await c
        .get('authorizer')
        .assert(
          'runs.start',
          agentEntity({ agentId: target.id, name: target.name, workspaceId: target.workspaceId }),
        );
      const run = await submitRun(kernel, {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        agent: target.id,
        task: body.task,
        priority: body.priority,
        idempotencyKey,
      });
      if (route !== undefined) await appendRunEvent(kernel.store, run.id, 'run.routed', { ...route });
      if (!body.wait) return c.json({ run }, 202);
      const settled = await waitForRun(kernel, principal.workspaceId, run.id, {
        timeoutMs: body.waitTimeoutMs,
        signal: c.req.raw.signal,
      });
      return c.json({ run: settled }, 200);
    });

    api.get('/runs', authorizeAction('runs.read'), async (c) => {
      const query = readQuery(c, listQuery);
      const runs = await listRuns(kernel.store, c.get('principal').workspaceId, {
        status: query.status,
        agentId: query.agent,
        limit: query.limit,
      });
      return c.json({ runs });
    });

    api.get('/runs/:id', authorizeAction('runs.read'), async (c) =>
      c.json({ run: await getRun(kernel.store, c.get('principal').workspaceId, c.req.param('id')) }),
    );

    api.get('/runs/:id/steps', authorizeAction('runs.read'), async (c) => {
      const run = await getRun(kernel.store, c.get('principal').workspaceId, c.req.param('id'));
      return c.json({ steps: await listRunSteps(kernel.store, run.id) });
    });

    api.post('/runs/:id/cancel', authorizeAction('runs.cancel'), async (c) => {
      const run = await requestCancel(kernel.store, c.get('principal').workspaceId, c.req.param('id'));
      kernel.signals.cancelRequested(run.id);
      kernel.signals.runChanged(run.id);
      if (run.status === 'cancelled') kernel.signals.runSettled(run.id);
      return c.json({ run });
    });

    api.post('/runs/:id/resume', authorizeAction('runs.resume'), async (c) => {
      const body = await readJson(c, resumeBody);
      const run = await resumeRun(
        kernel.store,
        c.get('principal').workspaceId,
        c.req.param('id'),
        body.decision,
      );
      kernel.signals.workQueued();
      kernel.signals.runChanged(run.id);
      if (run.status === 'failed') kernel.signals.runSettled(run.id);
      return c.json({ run });
    });

    api.get('/runs/:id/events', authorizeAction('runs.read'), async (c) => {
      const run = await getRun(kernel.store, c.get('principal').workspaceId, c.req.param('id'));
      return streamRunEvents(c, kernel, run.id);
    });

    approvalRoutes(kernel, api);
    orchestrationRoutes(kernel, api);
  };
}
