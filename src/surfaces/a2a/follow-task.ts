import type { StreamResponse } from '@a2a-js/sdk';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { getRunById } from '../../core/kernel/run-repo.ts';
import { contextOf, endsStream, outputArtifact, taskState, taskStatus } from './run-task.ts';

/** Another process may drive the run: poll as well as listen to this process's wake-ups (kernel.events). */
const POLL_MS = 500;

/**
 * Status updates of a run's task as its state changes, the answer as an artifact just before the final
 * status; ends when the task completes, fails, is cancelled or waits for input, or the caller leaves.
 */
export async function* followTask(
  kernel: Kernel,
  run: RunRecord,
  signal: AbortSignal,
): AsyncGenerator<StreamResponse, void, undefined> {
  let lastState = taskState(run);
  let current = run;
  while (!signal.aborted && !kernel.events.stopping.aborted) {
    await changeOf(kernel, run.id, signal);
    current = (await getRunById(kernel.store, run.id)) ?? current;
    const state = taskState(current);
    if (state === lastState) continue;
    lastState = state;
    const artifact = outputArtifact(current);
    if (artifact !== undefined) {
      yield {
        payload: {
          $case: 'artifactUpdate',
          value: {
            taskId: current.id,
            contextId: contextOf(current),
            artifact,
            append: false,
            lastChunk: true,
            metadata: undefined,
          },
        },
      };
    }
    yield {
      payload: {
        $case: 'statusUpdate',
        value: {
          taskId: current.id,
          contextId: contextOf(current),
          status: taskStatus(current),
          metadata: undefined,
        },
      },
    };
    if (endsStream(state)) return;
  }
}

function changeOf(kernel: Kernel, runId: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, POLL_MS);
    const unsubscribe = kernel.events.onRunChanged(runId, done);
    signal.addEventListener('abort', done);
    kernel.events.stopping.addEventListener('abort', done);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', done);
      kernel.events.stopping.removeEventListener('abort', done);
      resolve();
    }
  });
}
