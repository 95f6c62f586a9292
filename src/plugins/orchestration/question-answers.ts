import type { Kernel } from '../../core/kernel/kernel.ts';
import { type Answerer, answerQuestion, expireDueQuestions } from './question-repo.ts';

/** What an answer needs from the kernel: the store it writes, and the run control that wakes the run. */
export type QuestionKernel = Pick<Kernel, 'store' | 'runs'>;

/**
 * A person's answer to a run's ask_human question (see answerQuestion for who may answer), written and
 * then the run woken, so a local worker carries on at once.
 */
export async function answerPausedRun(
  kernel: QuestionKernel,
  answerer: Answerer,
  runId: string,
  answer: string,
): Promise<{ runId: string }> {
  const answered = await answerQuestion(kernel.store, answerer, runId, answer);
  kernel.runs.queued([answered.runId]);
  return answered;
}

/** Ends overdue questions (a workspace's, or every one) and wakes their runs; returns the run ids. */
export async function expireOverdueQuestions(
  kernel: QuestionKernel,
  workspaceId?: string,
): Promise<string[]> {
  const requeued = await expireDueQuestions(kernel.store, workspaceId);
  if (requeued.length > 0) kernel.runs.queued(requeued);
  return requeued;
}
