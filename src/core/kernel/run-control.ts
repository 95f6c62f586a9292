import type { AgentRecord } from '../agents/agent-repo.ts';
import { getAgent } from '../agents/agent-repo.ts';
import { assertUserSeesAgent } from '../agents/agent-visibility.ts';
import type { Store } from '../store/sql-client.ts';
import type { Priority } from './model-gateway.ts';
import type { PluginSet } from './plugin-set.ts';
import { type KernelSignals, nextWake } from './run-events.ts';
import { isTerminal, type RunRecord } from './run-record.ts';
import { createRun, getRun, type NewRun, type ResumeDecision, requestCancel, resumeRun } from './run-repo.ts';

export interface SubmitRun {
  workspaceId: string;
  userId: string | null;
  /** Agent id or name; the run pins its latest version now (pass `resolved` when the caller read it). */
  agent: string;
  task: string;
  priority: Priority;
  idempotencyKey?: string | undefined;
  /** The task carries content from outside: the run is tainted from its first call. */
  untrusted?: boolean | undefined;
  /** A reply in a conversation: which message it answers, after which other replies (see RunInput). */
  conversation?: { id: string; seq: number; after: string[]; held: boolean } | undefined;
}

/**
 * Every change of a run's state that workers and followers must hear of goes through here, so the store
 * write and its signals cannot drift apart: submit, enqueue, cancel and resume write and signal in one call.
 *
 * Writes that plugins make to their own tables (an approval decided, a question answered, a held reply
 * released, a plan's step started or timed out) end with `queued(runIds)` or `cancelled(runIds)` instead:
 * each plugin exports the operation that does its write and then that call (policy's approval-decisions.ts,
 * orchestration's question-answers.ts and plan-control.ts), and surfaces call those operations. The kernel
 * offers this notification rather than an `approve` or `answer` hook because it knows no feature by name:
 * approvals and questions, their rules and their tables are the plugins', and a hook here would pull that
 * vocabulary into the kernel's types. Only the kernel holds the emitting signals.
 */
export class RunControl {
  constructor(
    private readonly store: Store,
    private readonly signals: KernelSignals,
    private readonly plugins: PluginSet,
  ) {}

  /** Queues a run of the agent's latest version, refused now (not queued to fail) when a plugin says no. */
  async submit(request: SubmitRun, resolved?: AgentRecord): Promise<RunRecord> {
    const agent = resolved ?? (await getAgent(this.store, request.workspaceId, request.agent));
    await assertUserSeesAgent(this.store, agent, request.userId);
    await this.plugins.admit(this.store, agent, request.userId);
    const run = await createRun(this.store, {
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
    if (request.conversation?.held !== true) this.signals.workQueued();
    return run;
  }

  /**
   * Queues a run whose admission the caller made itself (a webhook's owner checks; the plugins' `admit` is
   * not asked), with workers told at once.
   */
  async enqueue(run: NewRun): Promise<RunRecord> {
    const created = await createRun(this.store, run);
    if (run.held !== true) this.signals.workQueued();
    return created;
  }

  /** Asks a run to stop: its worker aborts it at once, a queued one ends cancelled. */
  async cancel(workspaceId: string, runId: string): Promise<RunRecord> {
    const run = await requestCancel(this.store, workspaceId, runId);
    this.cancelled([run.id]);
    if (run.status === 'cancelled') this.signals.runSettled(run.id);
    return run;
  }

  /** Resumes a paused run (with a decision when its last tool outcome is unknown). */
  async resume(workspaceId: string, runId: string, decision?: ResumeDecision): Promise<RunRecord> {
    const run = await resumeRun(this.store, workspaceId, runId, decision);
    this.queued([run.id]);
    if (run.status === 'failed') this.signals.runSettled(run.id);
    return run;
  }

  /**
   * The caller's own write made these runs runnable (or changed them), or queued other work such as a plan:
   * workers and the plan executor look for work, the runs' followers re-read.
   */
  queued(runIds: readonly string[] = []): void {
    this.signals.workQueued();
    for (const id of runIds) this.signals.runChanged(id);
  }

  /** The caller's own write marked these runs for cancelling: their workers stop them, followers re-read. */
  cancelled(runIds: readonly string[]): void {
    for (const id of runIds) {
      this.signals.cancelRequested(id);
      this.signals.runChanged(id);
    }
  }

  /** Resolves when the run ends or pauses, or with its current state after `timeoutMs`. */
  async wait(
    workspaceId: string,
    runId: string,
    options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
  ): Promise<RunRecord> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const run = await getRun(this.store, workspaceId, runId);
      if (
        isTerminal(run.status) ||
        run.status === 'paused' ||
        Date.now() >= deadline ||
        options.signal?.aborted
      )
        return run;
      // Another process may drive the run, so poll as well as listen.
      await nextWake(
        (wake) => this.signals.onRunSettled(runId, wake),
        Math.min(options.pollMs ?? 250, Math.max(1, deadline - Date.now())),
      );
    }
  }
}
