import { Hono } from 'hono';
import { z } from 'zod';
import { answerPausedRun, expireOverdueQuestions } from '../../../plugins/orchestration/question-answers.ts';
import { listOpenQuestions } from '../../../plugins/orchestration/question-repo.ts';
import { getRunTree } from '../../../plugins/orchestration/run-tree.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { authorizedRun } from '../run-authorization.ts';

const answerBody = z.strictObject({ answer: z.string().min(1).max(20_000) });

/** Answers to ask_human questions, the run tree of run_agent calls, and webhook triggers. */
export function orchestrationRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/questions',
      resource: 'run',
      summary: 'Open ask_human questions the caller may answer',
      tags: ['orchestration'],
      responses: { 200: { description: 'The questions', schema: looseObject } },
    },
    async (c) => {
      const principal = c.get('principal');
      await expireOverdueQuestions(kernel, principal.workspaceId);
      const answerer = {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        isAdmin: principal.role === 'admin',
      };
      return c.json({ questions: await listOpenQuestions(kernel.store, answerer) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/runs/:id/answer',
      resource: 'run',
      summary: "Answer a run's open question; the run resumes",
      tags: ['orchestration'],
      body: answerBody,
      responses: {
        200: {
          description: 'The run is queued again',
          schema: z.object({ runId: z.string(), status: z.literal('queued') }),
        },
      },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      await expireOverdueQuestions(kernel, principal.workspaceId);
      const answered = await answerPausedRun(
        kernel,
        { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
        params.id,
        body.answer,
      );
      return c.json({ runId: answered.runId, status: 'queued' });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/runs/:id/tree',
      resource: 'run',
      summary: 'A run and the runs it started (run_agent), as a tree',
      tags: ['orchestration'],
      responses: { 200: { description: 'The tree', schema: looseObject } },
    },
    async (c, { params }) => {
      const root = await authorizedRun(c, kernel.store, params.id);
      return c.json({ tree: await getRunTree(kernel.store, root.workspaceId, root.id) });
    },
  );
  return api;
}
