import type { Hono } from 'hono';
import { z } from 'zod';
import type { Kernel } from '../kernel/kernel.ts';
import type { AppEnv } from '../server/app-env.ts';
import { readJson } from '../server/validate.ts';
import { planRoutes } from './plan-routes.ts';
import { answerQuestion, expireDueQuestions, listOpenQuestions } from './question-repo.ts';
import { getRunTree } from './run-tree.ts';
import { triggerRoutes } from './trigger-routes.ts';

const answerBody = z.strictObject({ answer: z.string().min(1).max(20_000) });

/** Answers to ask_human questions, the run tree of run_agent calls, and webhook triggers. */
export function orchestrationRoutes(kernel: Kernel, api: Hono<AppEnv>): void {
  const wake = (runIds: readonly string[]) => {
    if (runIds.length === 0) return;
    kernel.signals.workQueued();
    for (const id of runIds) kernel.signals.runChanged(id);
  };

  api.get('/questions', async (c) => {
    const principal = c.get('principal');
    wake(await expireDueQuestions(kernel.store, principal.workspaceId));
    const answerer = {
      workspaceId: principal.workspaceId,
      userId: principal.userId,
      isAdmin: principal.role === 'admin',
    };
    return c.json({ questions: await listOpenQuestions(kernel.store, answerer) });
  });

  api.post('/runs/:id/answer', async (c) => {
    const body = await readJson(c, answerBody);
    const principal = c.get('principal');
    wake(await expireDueQuestions(kernel.store, principal.workspaceId));
    const answered = await answerQuestion(
      kernel.store,
      { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
      c.req.param('id'),
      body.answer,
    );
    wake([answered.runId]);
    return c.json({ runId: answered.runId, status: 'queued' });
  });

  triggerRoutes(kernel, api);
  planRoutes(kernel, api);

  api.get('/runs/:id/tree', async (c) =>
    c.json({ tree: await getRunTree(kernel.store, c.get('principal').workspaceId, c.req.param('id')) }),
  );
}
