import { getAgent } from '../agents/agent-repo.ts';
import { assertUserSeesAgent } from '../agents/agent-visibility.ts';
import { resolveAgentSkills } from '../skills/skill-resolution.ts';
import type { Kernel } from './kernel.ts';
import type { Priority } from './model-gateway.ts';
import { nextWake } from './run-events.ts';
import { isTerminal, type RunRecord } from './run-record.ts';
import { createRun, getRun } from './run-repo.ts';

export interface SubmitRun {
  workspaceId: string;
  userId: string | null;
  /** Agent id or name; the run pins its latest version now. */
  agent: string;
  task: string;
  priority: Priority;
  idempotencyKey?: string | undefined;
  /** The task carries content from outside: the run is tainted from its first call. */
  untrusted?: boolean | undefined;
  /** A reply in a conversation: which message it answers, after which other replies (see RunInput). */
  conversation?: { id: string; seq: number; after: string[]; held: boolean } | undefined;
}

export async function submitRun(kernel: Kernel, request: SubmitRun): Promise<RunRecord> {
  const agent = await getAgent(kernel.store, request.workspaceId, request.agent);
  await assertUserSeesAgent(kernel.store, agent, request.userId);
  // Refused now (403 skill.unavailable) rather than queued to fail: the user must be able to use every skill.
  await resolveAgentSkills(kernel.store, agent, request.userId);
  const run = await createRun(kernel.store, {
    workspaceId: request.workspaceId,
    agentId: agent.id,
    agentVersion: agent.version,
    userId: request.userId,
    input: {
      task: request.task,
      ...(request.untrusted === true ? { untrusted: true } : {}),
      ...(request.conversation === undefined
        ? {}
        : {
            conversation: {
              id: request.conversation.id,
              seq: request.conversation.seq,
              after: request.conversation.after,
            },
          }),
    },
    conversationId: request.conversation?.id,
    held: request.conversation?.held,
    priority: request.priority,
    idempotencyKey: request.idempotencyKey,
  });
  if (request.conversation?.held !== true) kernel.signals.workQueued();
  return run;
}

/** Resolves when the run ends or pauses, or with its current state after `timeoutMs`. */
export async function waitForRun(
  kernel: Kernel,
  workspaceId: string,
  runId: string,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<RunRecord> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const run = await getRun(kernel.store, workspaceId, runId);
    if (
      isTerminal(run.status) ||
      run.status === 'paused' ||
      Date.now() >= deadline ||
      options.signal?.aborted
    )
      return run;
    // Another process may drive the run, so poll as well as listen.
    await nextWake(
      (wake) => kernel.signals.onRunSettled(runId, wake),
      Math.min(options.pollMs ?? 250, Math.max(1, deadline - Date.now())),
    );
  }
}
