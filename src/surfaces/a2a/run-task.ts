import { type Artifact, type Message, Role, type Task, TaskState, type TaskStatus } from '@a2a-js/sdk';
import type { RunRecord } from '../../core/kernel/run-record.ts';

/** An A2A task is a run (same id); its context is the run's conversation. */
export const contextOf = (run: RunRecord): string => run.conversationId ?? run.id;

export function taskState(run: RunRecord): TaskState {
  switch (run.status) {
    case 'queued':
      return TaskState.TASK_STATE_SUBMITTED;
    case 'running':
      return TaskState.TASK_STATE_WORKING;
    case 'paused':
      // Waiting for a person: an approval, an ask_human answer, or a decision about an unknown tool outcome.
      return TaskState.TASK_STATE_INPUT_REQUIRED;
    case 'succeeded':
      return TaskState.TASK_STATE_COMPLETED;
    case 'cancelled':
      return TaskState.TASK_STATE_CANCELED;
    case 'failed':
    case 'budget_exceeded':
      return TaskState.TASK_STATE_FAILED;
  }
}

export const isFinalState = (state: TaskState): boolean =>
  state === TaskState.TASK_STATE_COMPLETED ||
  state === TaskState.TASK_STATE_FAILED ||
  state === TaskState.TASK_STATE_CANCELED ||
  state === TaskState.TASK_STATE_REJECTED;

/** Final or interrupted: a stream of the task ends here. */
export const endsStream = (state: TaskState): boolean =>
  isFinalState(state) ||
  state === TaskState.TASK_STATE_INPUT_REQUIRED ||
  state === TaskState.TASK_STATE_AUTH_REQUIRED;

export function textMessage(run: RunRecord, role: Role, text: string, messageId: string): Message {
  return {
    messageId,
    contextId: contextOf(run),
    taskId: run.id,
    role,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** What the agent says with the status: its answer, why it waits, or why it failed. */
function statusText(run: RunRecord): string | undefined {
  if (run.status === 'succeeded') return run.output?.text;
  if (run.status === 'paused' && run.pause !== null) {
    return run.pause.reason === 'question' ? run.pause.question : run.pause.message;
  }
  if (run.error !== null) return `${run.error.code}: ${run.error.message}`;
  return undefined;
}

export function taskStatus(run: RunRecord): TaskStatus {
  const text = statusText(run);
  return {
    state: taskState(run),
    message:
      text === undefined
        ? undefined
        : textMessage(run, Role.ROLE_AGENT, text, `${run.id}-status-${run.status}`),
    timestamp: run.updatedAt.toISOString(),
  };
}

/** The run's answer, once it succeeded. */
export function outputArtifact(run: RunRecord): Artifact | undefined {
  if (run.status !== 'succeeded' || run.output === null) return undefined;
  return {
    artifactId: `${run.id}-output`,
    name: 'output',
    description: 'The final answer of the run',
    parts: [
      {
        content: { $case: 'text', value: run.output.text },
        metadata: undefined,
        filename: '',
        mediaType: 'text/plain',
      },
    ],
    metadata: undefined,
    extensions: [],
  };
}

export function runToTask(run: RunRecord, historyLength?: number): Task {
  const artifact = outputArtifact(run);
  const history =
    historyLength === 0 ? [] : [textMessage(run, Role.ROLE_USER, run.input.task, `${run.id}-task`)];
  return {
    id: run.id,
    contextId: contextOf(run),
    status: taskStatus(run),
    artifacts: artifact === undefined ? [] : [artifact],
    history,
    metadata: { agentId: run.agentId, agentVersion: run.agentVersion, runStatus: run.status },
  };
}
