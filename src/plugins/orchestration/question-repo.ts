import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { appendRunEvent } from '../../core/kernel/run-events.ts';
import type { RunPause, RunRow } from '../../core/kernel/run-record.ts';
import { RUN_COLUMNS } from '../../core/kernel/run-record.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';

type QuestionPause = Extract<RunPause, { reason: 'question' }>;

export interface Answerer {
  workspaceId: string;
  userId: string;
  isAdmin: boolean;
}

/** Completes the question's tool step with `output` and requeues its run, in the caller's transaction. */
async function completeQuestion(
  tx: SqlClient,
  runId: string,
  pause: QuestionPause,
  output: unknown,
  isError: boolean,
  event: Record<string, unknown>,
): Promise<void> {
  const result = { v: 1, output, isError, via: 'decision', label: 'trusted' };
  await tx.query(
    `UPDATE run_steps SET status = 'completed', result = $4::jsonb, finished_at = now()
     WHERE run_id = $1 AND turn = $2 AND call_index = $3`,
    [runId, pause.turn, pause.callIndex, jsonParam(result)],
  );
  await tx.query(
    `UPDATE runs SET status = 'queued', pause = NULL, available_at = now(), updated_at = now() WHERE id = $1`,
    [runId],
  );
  const step = { turn: pause.turn, callIndex: pause.callIndex, name: pause.tool };
  await appendRunEvent(tx, runId, 'tool.finished', { ...step, output, isError, via: 'decision' });
  await appendRunEvent(tx, runId, 'run.resumed', event);
}

/**
 * A person's answer to a run's ask_human question. Only the run's user, the user the question names, or an
 * admin may answer; with choices the answer must be one of them. Records the call's result and requeues the run.
 */
export async function answerQuestion(
  db: Store,
  answerer: Answerer,
  runId: string,
  answer: string,
): Promise<{ runId: string }> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
      [runId, answerer.workspaceId],
    );
    const run = rows[0];
    if (run === undefined) throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
    const pause = run.pause;
    const asked = pause?.reason === 'question' ? pause.askedUser : undefined;
    // Another user's run does not exist for the caller, whatever its state (unless they are the asked user).
    if (!(answerer.isAdmin || answerer.userId === run.user_id || answerer.userId === asked)) {
      throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
    }
    if (run.status !== 'paused' || pause?.reason !== 'question') {
      throw new AgentOsError('run.invalid_state', `Run ${runId} is ${run.status}, not waiting for an answer`);
    }
    if (pause.choices !== undefined && !pause.choices.includes(answer)) {
      throw new AgentOsError('request.invalid', `The answer must be one of: ${pause.choices.join(', ')}`);
    }
    const output = { answer, answeredBy: answerer.userId };
    await completeQuestion(tx, runId, pause, output, false, { answeredBy: answerer.userId });
    await appendAudit(tx, {
      workspaceId: answerer.workspaceId,
      actor: { type: 'user', id: answerer.userId },
      action: 'question.answer',
      resource: { type: 'run', id: runId },
      data: { turn: pause.turn, callIndex: pause.callIndex },
    });
    return { runId };
  });
}

/**
 * Ends overdue questions: the call gets the error result "no answer before <time>" and the run is requeued
 * so the model can carry on without it. Applied by every worker process's orchestration tick and when
 * questions are answered or listed; returns the requeued run ids.
 */
export async function expireDueQuestions(db: Store, workspaceId?: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; pause: QuestionPause }>(
      `SELECT id, pause FROM runs WHERE status = 'paused' AND pause->>'reason' = 'question'
         AND (pause->>'expiresAt')::timestamptz <= now() AND ($1::text IS NULL OR workspace_id = $1)
       ORDER BY id FOR UPDATE`,
      [workspaceId ?? null],
    );
    for (const row of rows) {
      const message = `No answer before ${row.pause.expiresAt}`;
      await completeQuestion(tx, row.id, row.pause, message, true, { expired: row.pause.expiresAt });
    }
    return rows.map((row) => row.id);
  });
}

export interface OpenQuestion {
  runId: string;
  userId: string | null;
  pause: QuestionPause;
}

/** Questions waiting for an answer: the caller's runs and those naming the caller (admins: the workspace's). */
export async function listOpenQuestions(db: SqlClient, answerer: Answerer): Promise<OpenQuestion[]> {
  const { rows } = await db.query<{ id: string; user_id: string | null; pause: QuestionPause }>(
    `SELECT id, user_id, pause FROM runs WHERE workspace_id = $1 AND status = 'paused'
       AND pause->>'reason' = 'question' AND ($2 OR user_id = $3 OR pause->>'askedUser' = $3)
     ORDER BY updated_at, id`,
    [answerer.workspaceId, answerer.isAdmin, answerer.userId],
  );
  return rows.map((row) => ({ runId: row.id, userId: row.user_id, pause: row.pause }));
}
