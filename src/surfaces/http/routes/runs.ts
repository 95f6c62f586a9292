import { Hono } from 'hono';
import { z } from 'zod';
import { getAgent } from '../../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../../core/agents/agent-visibility.ts';
import { appendRunEvent } from '../../../core/kernel/run-events.ts';
import { listRunSteps } from '../../../core/kernel/run-journal.ts';
import { listRuns } from '../../../core/kernel/run-repo.ts';
import { routeTask } from '../../../core/kernel/task-router.ts';
import { agentResource } from '../../../plugins/policy/cedar/cedar-entities.ts';
import { runReadersSql } from '../../../plugins/policy/run-access.ts';
import { runSchema, runStepSchema } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { authorizedRun, readableRuns, runViewer } from '../run-authorization.ts';
import { streamRunChanges } from './run-changes-stream.ts';
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

const MAX_SEARCH = 200;

const listQuery = z.strictObject({
  status: z
    .enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'budget_exceeded'])
    .optional(),
  agent: z.string().min(1).optional(),
  q: z
    .string()
    .trim()
    .min(1, 'the search text is empty')
    .max(MAX_SEARCH, `the search text is longer than ${MAX_SEARCH} characters`)
    .optional()
    .meta({ description: 'Text the task or the answer contains, case-insensitively' }),
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

const runBody = z.object({ run: runSchema });
const tags = ['runs'];
const runId = z.object({ id: z.string().min(1) });

export function runRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'post',
      path: '/runs',
      resource: 'run',
      summary: 'Start a run of an agent (or let the task router pick one)',
      description:
        'Authorized as `runs.start` on the target agent. With `wait`, answers when the run ends or pauses.',
      tags,
      body: startRunBody,
      headers: z.object({ 'idempotency-key': idempotencyKeyHeader }),
      responses: {
        200: { description: 'The run, settled or paused (`wait: true`)', schema: runBody },
        202: { description: 'The queued run', schema: runBody },
      },
    },
    async (c, { body, headers }) => {
      const principal = c.get('principal');
      const route =
        body.agent === undefined
          ? await routeTask(kernel, principal.workspaceId, body.task, c.req.raw.signal, principal.userId)
          : undefined;
      const target = await getAgent(kernel.store, principal.workspaceId, route?.agent ?? body.agent ?? '');
      await assertUserSeesAgent(kernel.store, target, principal.userId);
      await c.get('authorizer').assert('runs.start', agentResource(target));
      // The record read here is the one the run pins: submit does not read it again.
      const run = await kernel.runs.submit(
        {
          workspaceId: principal.workspaceId,
          userId: principal.userId,
          agent: target.id,
          task: body.task,
          priority: body.priority,
          idempotencyKey: headers['idempotency-key'],
        },
        target,
      );
      if (route !== undefined) await appendRunEvent(kernel.store, run.id, 'run.routed', { ...route });
      if (!body.wait) return c.json({ run }, 202);
      const settled = await kernel.runs.wait(principal.workspaceId, run.id, {
        timeoutMs: body.waitTimeoutMs,
        signal: c.req.raw.signal,
      });
      return c.json({ run: settled }, 200);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs',
      resource: 'run',
      summary: 'List runs, newest first, by status, agent or text in the task or answer',
      tags,
      action: 'runs.read',
      query: listQuery,
      responses: { 200: { description: 'The runs', schema: z.object({ runs: z.array(runSchema) }) } },
    },
    async (c, { query }) => {
      const readable = runReadersSql(await runViewer(c), 'r', 1);
      const runs = await listRuns(kernel.store, readable, {
        status: query.status,
        agentId: query.agent,
        search: query.q,
        limit: query.limit,
      });
      return c.json({ runs: await readableRuns(c, kernel.store, runs) });
    },
  );

  // Declared before `/runs/:id`, which would otherwise take `changes` for a run id.
  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs/changes',
      resource: 'run',
      summary: 'Runs as they change, as server-sent events',
      description:
        'Each `run` event carries a run the caller may read, as it is after it was queued, started, paused, resumed, committed a step or ended; its id is the run event that changed it. Starts at the present, or after `Last-Event-ID` (or `?after=`); stays open.',
      tags,
      action: 'runs.read',
      query: z.object({
        after: z
          .string()
          .regex(/^[0-9]+$/)
          .optional(),
      }),
      responses: { 200: { description: 'The event stream', contentType: 'text/event-stream' } },
    },
    async (c) => streamRunChanges(c, kernel),
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs/:id',
      resource: 'run',
      summary: 'Get a run',
      tags,
      action: 'runs.read',
      params: runId,
      responses: { 200: { description: 'The run', schema: runBody } },
    },
    async (c, { params }) => c.json({ run: await authorizedRun(c, kernel.store, params.id) }),
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs/:id/steps',
      resource: 'run',
      summary: "A run's journal: its model and tool steps",
      tags,
      action: 'runs.read',
      params: runId,
      responses: {
        200: { description: 'The steps in order', schema: z.object({ steps: z.array(runStepSchema) }) },
      },
    },
    async (c, { params }) => {
      const run = await authorizedRun(c, kernel.store, params.id);
      const steps = await listRunSteps(kernel.store, run.id);
      return c.json({
        steps: steps.map((step) => ({
          ...step,
          durationMs: step.finishedAt === null ? null : step.finishedAt.getTime() - step.startedAt.getTime(),
        })),
      });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/runs/:id/cancel',
      resource: 'run',
      summary: 'Ask a run to stop',
      tags,
      action: 'runs.cancel',
      params: runId,
      responses: { 200: { description: 'The run, cancelled or cancelling', schema: runBody } },
    },
    async (c, { params }) => {
      await authorizedRun(c, kernel.store, params.id, 'runs.cancel');
      return c.json({ run: await kernel.runs.cancel(c.get('principal').workspaceId, params.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/runs/:id/resume',
      resource: 'run',
      summary: 'Resume a paused run, with a decision when its last tool outcome is unknown',
      tags,
      action: 'runs.resume',
      params: runId,
      body: resumeBody,
      responses: { 200: { description: 'The run, queued again (or failed)', schema: runBody } },
    },
    async (c, { params, body }) => {
      await authorizedRun(c, kernel.store, params.id, 'runs.resume');
      const run = await kernel.runs.resume(c.get('principal').workspaceId, params.id, body.decision);
      return c.json({ run });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs/:id/events',
      resource: 'run',
      summary: "A run's events as server-sent events",
      description:
        'Each event has the id, the type (`event:`) and JSON data. Reconnect with `Last-Event-ID` (or `?after=`) to miss nothing; the stream ends after `run.finished`.',
      tags,
      action: 'runs.read',
      params: runId,
      query: z.object({
        after: z
          .string()
          .regex(/^[0-9]+$/)
          .optional(),
      }),
      responses: { 200: { description: 'The event stream', contentType: 'text/event-stream' } },
    },
    async (c, { params }) => {
      const run = await authorizedRun(c, kernel.store, params.id);
      return streamRunEvents(c, kernel, run.id);
    },
  );
  return api;
}
