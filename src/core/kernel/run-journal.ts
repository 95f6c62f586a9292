import { AgentOsError } from '../errors/agent-os-error.ts';
import type { SqlClient, Store } from '../store/sql-client.ts';
import { type AuditContext, type FencedWrite, type StepWrite, writeFencedBatch } from './fenced-write.ts';
import type { JournalBatcher } from './journal-batcher.ts';
import type { ModelResult, ToolCallRecord, ToolResult } from './journal-format.ts';
import { hashInputs, idempotencyKey, type JournalStep, listRunSteps } from './journal-steps.ts';
import type { PolicyNote } from './policy-note.ts';
import type { KernelSignals, RunEventType } from './run-events.ts';
import { type Lease, LeaseLostError } from './run-lease.ts';
import type { RunError, RunOutput, RunPause, RunStatus, RunUsage } from './run-record.ts';
import { CONTEXT_CALL_INDEX, MODEL_CALL_INDEX } from './step-kinds.ts';

export {
  canonicalJson,
  hashInputs,
  idempotencyKey,
  type JournalStep,
  listRunSteps,
} from './journal-steps.ts';
export { type PolicyNote, policyNote } from './policy-note.ts';

/** Who a run's journal entries are attributed to in the audit log. */
export interface RunIdentity {
  workspaceId: string;
  agentId: string;
  userId: string | null;
}

/** A model call that is not one of the run's turns: a compaction or the end-of-run extraction. */
export interface AuxiliaryModelStep {
  /** The registered kind owning `callIndex` (a compaction, a conversation summary, an extraction, a check). */
  kind: string;
  callIndex: number;
  input: unknown;
  event: { type: RunEventType; data: Record<string, unknown> };
}

type EndStatus = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled' | 'budget_exceeded'>;

/**
 * The write side of one attempt's journal. Every write is one fenced statement (fenced-write.ts):
 * a worker that lost the run commits nothing, and the step, its events and its audit entry land together.
 */
export class RunJournal {
  readonly #store: Store;
  readonly #signals: KernelSignals;
  readonly lease: Lease;
  #identity: RunIdentity | undefined;
  readonly #batcher: JournalBatcher | undefined;
  /** The event kinds steps may write (the kernel's and its plugins'); unchecked when absent. */
  readonly #eventKinds: ReadonlySet<string> | undefined;
  /** Set when a write saw that someone asked to cancel the run. */
  cancelRequested = false;
  /** When this attempt began each step it has not written yet (and a model call's prompt), by turn:callIndex. */
  readonly #begun = new Map<string, { at: Date; input: unknown }>();

  constructor(
    store: Store,
    lease: Lease,
    signals: KernelSignals,
    options: { identity?: RunIdentity; batcher?: JournalBatcher; eventKinds?: ReadonlySet<string> } = {},
  ) {
    this.#store = store;
    this.lease = lease;
    this.#signals = signals;
    this.#identity = options.identity;
    this.#batcher = options.batcher;
    this.#eventKinds = options.eventKinds;
  }

  load(): Promise<JournalStep[]> {
    return listRunSteps(this.#store, this.lease.runId);
  }

  async #context(db: SqlClient): Promise<AuditContext> {
    if (this.#identity === undefined) {
      const { rows } = await db.query<{ workspace_id: string; agent_id: string; user_id: string | null }>(
        'SELECT workspace_id, agent_id, user_id FROM runs WHERE id = $1',
        [this.lease.runId],
      );
      const row = rows[0];
      this.#identity = {
        workspaceId: row?.workspace_id ?? '',
        agentId: row?.agent_id ?? 'unknown',
        userId: row?.user_id ?? null,
      };
    }
    const { workspaceId, agentId, userId } = this.#identity;
    return {
      workspaceId,
      actor: { type: 'agent', id: agentId, ...(userId === null ? {} : { onBehalfOf: userId }) },
    };
  }

  /**
   * Notes that this attempt begins a step now: the row written for it carries this start, so the trace
   * shows how long a model call streamed or a tool ran. `input` is what a model turn stores as its input.
   */
  noteStepStart(turn: number, callIndex: number, input: unknown = null): void {
    this.#begun.set(`${turn}:${callIndex}`, { at: new Date(), input });
  }

  /** The noted start of a step (consumed) and the step's end, now. */
  #timing(
    turn: number,
    callIndex: number,
  ): { times: Pick<StepWrite, 'started_at' | 'finished_at'>; input: unknown } {
    const key = `${turn}:${callIndex}`;
    const begun = this.#begun.get(key);
    this.#begun.delete(key);
    const times = {
      ...(begun === undefined ? {} : { started_at: begun.at.toISOString() }),
      finished_at: new Date().toISOString(),
    };
    return { times, input: begun?.input ?? null };
  }

  async #write(write: FencedWrite): Promise<RunUsage> {
    const pending = { lease: this.lease, context: await this.#context(this.#store), write };
    const [result] =
      this.#batcher === undefined
        ? await writeFencedBatch(this.#store, [pending])
        : [await this.#batcher.write(pending)];
    if (result === undefined) throw new LeaseLostError(this.lease);
    this.cancelRequested = result.cancelRequested;
    this.#signals.runChanged(this.lease.runId);
    if (write.transition !== undefined && write.transition.to !== 'running')
      this.#signals.runSettled(this.lease.runId);
    return result.usage;
  }

  recordModelStep(
    turn: number,
    model: string,
    inputsHash: string,
    result: ModelResult,
    costUsd: number,
    step: AuxiliaryModelStep | undefined = undefined,
  ): Promise<RunUsage> {
    const { runId } = this.lease;
    if (step !== undefined && this.#eventKinds !== undefined && !this.#eventKinds.has(step.event.type))
      throw new AgentOsError(
        'internal',
        `Run event kind "${step.event.type}" is declared by no plugin (KernelPlugin.eventKinds)`,
      );
    const callIndex = step?.callIndex ?? MODEL_CALL_INDEX;
    const kind = step?.kind ?? 'model';
    const { times, input: prompt } = this.#timing(turn, callIndex);
    return this.#write({
      progress: true,
      steps: [
        {
          turn,
          call_index: callIndex,
          kind,
          status: 'completed',
          idempotency_key: idempotencyKey(runId, turn, callIndex),
          name: model,
          inputs_hash: inputsHash,
          // A turn stores the prompt it sent (prompt-record.ts); an auxiliary call what its kind keeps.
          input: step === undefined ? prompt : (step.input ?? null),
          result,
          input_tokens: result.inputTokens,
          output_tokens: result.outputTokens,
          cost_usd: costUsd,
          ...times,
        },
      ],
      usage: {
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        costUsd,
        modelCalls: 1,
        toolCalls: 0,
      },
      events: [
        step === undefined
          ? {
              type: 'model.completed',
              data: {
                turn,
                text: result.text,
                toolCalls: result.toolCalls,
                finishReason: result.finishReason,
              },
            }
          : step.event,
        { type: 'step.committed', data: { turn, callIndex, kind } },
      ],
      // Metadata only; "usage" avoids a key that reads as a secret ("tokens").
      audit: [
        {
          action: 'model.call',
          data: {
            turn,
            model,
            ...(step === undefined ? {} : { purpose: kind }),
            usage: { input: result.inputTokens, output: result.outputTokens },
            costUsd,
            inputsHash,
          },
        },
      ],
    });
  }

  /** The context a run starts from (pinned notes, recalled memories), so a resume rebuilds the same prompt. */
  async recordContextStep(snapshot: unknown, inputsHash: string): Promise<void> {
    const { runId } = this.lease;
    await this.#write({
      progress: true,
      steps: [
        {
          turn: 0,
          call_index: CONTEXT_CALL_INDEX,
          kind: 'context',
          status: 'completed',
          idempotency_key: idempotencyKey(runId, 0, CONTEXT_CALL_INDEX),
          name: 'context',
          inputs_hash: inputsHash,
          input: null,
          result: snapshot,
          input_tokens: 0,
          output_tokens: 0,
          cost_usd: 0,
        },
      ],
      events: [{ type: 'step.committed', data: { turn: 0, callIndex: CONTEXT_CALL_INDEX, kind: 'context' } }],
    });
  }

  #toolStep(
    turn: number,
    callIndex: number,
    call: ToolCallRecord,
    inputsHash: string,
    status: StepWrite['status'],
    result: ToolResult | null,
  ): StepWrite {
    const { times } = this.#timing(turn, callIndex);
    return {
      turn,
      call_index: callIndex,
      kind: 'tool',
      status,
      idempotency_key: idempotencyKey(this.lease.runId, turn, callIndex),
      name: call.name,
      inputs_hash: inputsHash,
      input: call,
      result,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      ...times,
    };
  }

  /** Write-ahead record of a non-idempotent call about to run: after a crash it says "this may have happened". */
  async beginToolStep(
    turn: number,
    callIndex: number,
    call: ToolCallRecord,
    inputsHash: string,
    note?: PolicyNote,
  ): Promise<void> {
    await this.#write({
      progress: true,
      steps: [this.#toolStep(turn, callIndex, call, inputsHash, 'started', null)],
      events: [
        ...(note?.events ?? []),
        { type: 'tool.started', data: { turn, callIndex, name: call.name, arguments: call.argumentsText } },
      ],
      ...(note === undefined ? {} : { audit: note.audit }),
    });
  }

  /** `announce`: also emit tool.started (for calls that had no write-ahead record). */
  async completeToolStep(
    turn: number,
    callIndex: number,
    call: ToolCallRecord,
    inputsHash: string,
    result: ToolResult,
    announce = false,
    note?: PolicyNote,
  ): Promise<void> {
    await this.#write({
      progress: true,
      steps: [this.#toolStep(turn, callIndex, call, inputsHash, 'completed', result)],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0, toolCalls: 1 },
      events: [
        ...(note?.events ?? []),
        ...(announce
          ? [
              {
                type: 'tool.started' as const,
                data: { turn, callIndex, name: call.name, arguments: call.argumentsText },
              },
            ]
          : []),
        {
          type: 'tool.finished',
          data: {
            turn,
            callIndex,
            name: call.name,
            output: result.output,
            isError: result.isError,
            via: result.via,
          },
        },
        { type: 'step.committed', data: { turn, callIndex, kind: 'tool' } },
      ],
      audit: [
        ...(note?.audit ?? []),
        {
          action: 'tool.call',
          data: {
            turn,
            callIndex,
            tool: call.name,
            argumentsHash: hashInputs(call.argumentsText),
            isError: result.isError,
            via: result.via,
          },
        },
      ],
    });
  }

  /** The gate asked a person: release the run until the approval is decided (the call itself is not journaled). */
  async pauseForApproval(pause: RunPause, note: PolicyNote = { events: [], audit: [] }): Promise<void> {
    await this.#write({
      progress: true,
      events: [...note.events, { type: 'run.paused', data: { ...pause } }],
      audit: [
        ...note.audit,
        { action: 'run.pause', data: { reason: pause.reason, turn: pause.turn, tool: pause.tool } },
      ],
      transition: { to: 'paused', pause },
    });
  }

  /** The tool call's outcome is unknown after a crash: mark it, release the run, and wait for a person. */
  async pauseForUnknownOutcome(pause: RunPause, call: ToolCallRecord): Promise<void> {
    const inputsHash = hashInputs({ name: call.name, arguments: call.argumentsText });
    await this.#write({
      progress: true,
      steps: [this.#toolStep(pause.turn, pause.callIndex, call, inputsHash, 'unknown', null)],
      events: [{ type: 'run.paused', data: { ...pause } }],
      audit: [{ action: 'run.pause', data: { reason: pause.reason, turn: pause.turn, tool: pause.tool } }],
      transition: { to: 'paused', pause },
    });
  }

  /** ask_human: write-ahead the call as `started` and release the run until a person answers it. */
  async pauseForQuestion(pause: RunPause, call: ToolCallRecord, note?: PolicyNote): Promise<void> {
    const inputsHash = hashInputs({ name: call.name, arguments: call.argumentsText });
    await this.#write({
      progress: true,
      steps: [this.#toolStep(pause.turn, pause.callIndex, call, inputsHash, 'started', null)],
      events: [...(note?.events ?? []), { type: 'run.paused', data: { ...pause } }],
      audit: [
        ...(note?.audit ?? []),
        { action: 'run.pause', data: { reason: pause.reason, turn: pause.turn, tool: pause.tool } },
      ],
      transition: { to: 'paused', pause },
    });
  }

  async finish(status: EndStatus, outcome: { output?: RunOutput; error?: RunError }): Promise<void> {
    const output = outcome.output ?? null;
    const error = outcome.error ?? null;
    await this.#write({
      progress: false,
      events: [{ type: 'run.finished', data: { status, output, error } }],
      audit: [{ action: 'run.finish', data: { status, errorCode: error?.code ?? null } }],
      transition: { to: status, output, error },
    });
  }

  /** Live output. Written under the same fence, which also keeps event ids in commit order for SSE resumption. */
  async appendDelta(turn: number, text: string): Promise<void> {
    await this.#write({ progress: false, events: [{ type: 'model.delta', data: { turn, text } }] });
  }

  async appendRetry(turn: number, info: { attempt: number; reason: string; delayMs: number }): Promise<void> {
    await this.#write({ progress: false, events: [{ type: 'model.retry', data: { turn, ...info } }] });
  }

  async markStarted(): Promise<void> {
    await this.#write({
      progress: false,
      events: [{ type: 'run.started', data: { attempt: this.lease.attempt } }],
      audit: [{ action: 'run.start', data: { attempt: this.lease.attempt } }],
    });
  }
}
