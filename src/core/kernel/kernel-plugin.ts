import type { AgentDefinition } from '../agents/agent-definition.ts';
import type { AgentRecord } from '../agents/agent-repo.ts';
import type { Store } from '../store/sql-client.ts';
import type { BackgroundService } from '../time/periodic-task.ts';
import type { ToolDefinition } from '../tools/tool.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import type { ContentSource } from '../tools/value-provenance.ts';
import type { ContextSnapshot } from './context-builder.ts';
import type { ModelResult, ToolCallRecord } from './journal-format.ts';
import type { Kernel } from './kernel.ts';
import type { ChatMessage } from './messages.ts';
import type { ModelCallRequest, ModelGateway } from './model-gateway.ts';
import type { PlanNotices } from './plan-notices.ts';
import type { RunControl } from './run-control.ts';
import type { KernelEvents, PluginEventType } from './run-events.ts';
import type { JournalStep, RunJournal } from './run-journal.ts';
import type { RunError, RunRecord, RunUsage } from './run-record.ts';
import type { StepKind } from './step-kinds.ts';
import type { TokenCounter } from './token-counter.ts';
import type { GateDecision, ToolGate } from './tool-gate.ts';
import type { ToolStepOutcome } from './tool-step.ts';

/**
 * What a plugin may use when it builds its parts: the process's store, its run and plan controls (the
 * only way to signal), its events to listen to, and (once built) its tools.
 */
export interface KernelParts {
  store: Store;
  runs: RunControl;
  plans: PlanNotices;
  events: KernelEvents;
  /** The registry every plugin's tools end up in (read it lazily: it is filled after `tools` hooks ran). */
  tools(): ToolRegistry;
}

/** What a plugin's background work gets: the kernel it runs in and the process's log and version. */
export interface BackgroundContext {
  kernel: Kernel;
  log: (message: string) => void;
  version: string;
}

/** One run attempt as a hook sees it. */
export interface RunScope {
  store: Store;
  run: RunRecord;
}

/**
 * The starting context's contribution of one plugin (memory's pinned notes and recalled memories, a
 * conversation's history). Sections are gathered once per run and journaled together in the `context`
 * step under the plugin's own keys, so a replay renders the same prompt from the record.
 */
export interface ContextContributor {
  /** Keys of the snapshot this contributor owns (e.g. `pinned`, `memories`). */
  gather?(scope: RunScope, def: AgentDefinition): Promise<Record<string, unknown>>;
  /**
   * A conversation run's history, gathered after the other sections within `budget` tokens; may summarise
   * older turns through `summarize` (a journaled model step). Only one contributor should answer.
   */
  history?(
    scope: RunScope,
    args: HistoryArgs,
  ): Promise<{ key: string; value: unknown } | RunError | undefined>;
  /**
   * Sections a model derives from what the run's principals wrote, before any other content reaches the run
   * (the policy's intent: the consequential actions the task asks for). Called once, after `gather` and
   * `history`, when the run starts; `ask` is a journaled model call at turn 0 (a kind the plugin declared),
   * so a resumed run reads the same answer. Its keys join the snapshot.
   */
  derive?(scope: RunScope, args: DeriveArgs): Promise<Record<string, unknown>>;
  /** Where the sections go in every prompt of the run. */
  render(snapshot: ContextSnapshot, run: RunRecord): ContextRendering;
  /** Sections that carry text from outside a person's control taint the run from its first call. */
  tainted?(snapshot: ContextSnapshot): boolean;
  /**
   * The sections' texts that a tool call's argument values may come from, each with its trust (a person's
   * own message is `user`, another person's or an answer written after untrusted content is `untrusted`):
   * the policy gate attributes values to them (`tools/value-provenance.ts`).
   */
  sources?(snapshot: ContextSnapshot, run: RunRecord): ContentSource[];
}

export interface HistoryArgs {
  counter: TokenCounter;
  budget: number;
  /** A step of turn 0 as journaled (the summary call a replayed run made before). */
  recorded(callIndex: number): JournalStep | undefined;
  /** A journaled model call at turn 0, `callIndex` (a kind the plugin declared); its text or the error. */
  summarize(
    callIndex: number,
    prompt: ChatMessage[],
    plan: Record<string, unknown>,
  ): Promise<string | RunError>;
}

export interface DeriveArgs {
  def: AgentDefinition;
  /** The tools the run may call. */
  tools: readonly ToolDefinition[];
  /**
   * A journaled model call at turn 0, `callIndex`, without tools: its text, or the error it ended in. `input`
   * is journaled with the step and is the data of its `event` (a kind the plugin declared).
   */
  ask(
    callIndex: number,
    prompt: ChatMessage[],
    input: Record<string, unknown>,
    event: PluginEventType,
  ): Promise<string | RunError>;
}

/** System notes after the instructions; messages before the task and after it. */
export interface ContextRendering {
  system?: string | undefined;
  before?: ChatMessage[];
  after?: ChatMessage[];
}

/** A model call on its way to the gateway: middleware sees and may refuse it, wrap it, or observe it. */
export type ModelCallMiddleware = (next: ModelGateway, parts: KernelParts) => ModelGateway;

/** One tool call of a turn, as tool-call middleware sees it (before and after the kernel runs it). */
export interface ToolCallInfo {
  runId: string;
  turn: number;
  callIndex: number;
  call: ToolCallRecord;
  tool: ToolDefinition | undefined;
  replayed: boolean;
}
export type ToolCallMiddleware = (
  info: ToolCallInfo,
  next: () => Promise<ToolStepOutcome>,
) => Promise<ToolStepOutcome>;

/** What an answer hook may do once the model answered without tool calls. */
export interface AnswerContext extends RunScope {
  gateway: ModelGateway;
  journal: RunJournal;
  def: AgentDefinition;
  turn: number;
  answer: string;
  /** Untrusted content reached the run (its labels, as journaled). */
  tainted: boolean;
  /** Every message after the preamble. */
  messages: readonly ChatMessage[];
  signal: AbortSignal;
  recorded(turn: number, callIndex: number): JournalStep | undefined;
  /** A journaled model call at `callIndex` of this turn (replayed when recorded); a RunError when it failed. */
  modelStep(
    callIndex: number,
    messages: ChatMessage[],
    request: Pick<ModelCallRequest, 'tools' | 'priority'>,
    record: (inputsHash: string, result: ModelResult, cost: number) => Promise<RunUsage>,
  ): Promise<ModelResult | RunError>;
  /** The run's own limits still allow another call. */
  withinBudget(): boolean;
}

/** Runs after the answer, before the run succeeds; what it returns is merged into the output. */
export type AnswerHook = (ctx: AnswerContext) => Promise<Record<string, unknown> | undefined>;

/**
 * A feature that hooks into the kernel. The kernel imports no plugin: the composition root (runtime/)
 * hands it the list, and every hook runs in list order.
 */
export interface KernelPlugin {
  name: string;
  /** Built-in tools the plugin contributes. */
  tools?(parts: KernelParts): readonly ToolDefinition[];
  /** Refuses a run before it is queued (e.g. a skill its user may not use). */
  admit?(store: Store, agent: AgentRecord, userId: string | null): Promise<void>;
  /** The run's effective definition (pinned skills merged in, a parent's budget share). */
  definition?(
    scope: RunScope & { agent: AgentRecord },
    def: AgentDefinition,
  ): Promise<AgentDefinition | { error: RunError }>;
  context?: ContextContributor;
  /** Wraps the gateway for runs' calls: the first plugin's middleware is the outermost. */
  modelCall?: ModelCallMiddleware;
  /** Wraps each tool step: the first plugin's middleware is the outermost. */
  toolCall?: ToolCallMiddleware;
  /** Decides each tool call (exactly one plugin provides it; without one every call is refused). */
  toolGate?: ToolGate;
  answer?: AnswerHook;
  /** Wraps each run attempt (a trace span). */
  attempt?<T>(scope: RunScope, body: () => Promise<T>): Promise<T>;
  /** Notified at the start of each turn. */
  turn?(runId: string, turn: number): void;
  /** Notified of each tool-gate decision. */
  decided?(runId: string, turn: number, callIndex: number, decision: GateDecision): void;
  /** Background work in worker processes (triggers, syncs, consolidation), started after the worker. */
  background?(context: BackgroundContext): BackgroundService[];
  /** Run event kinds the plugin writes (`memory.extracted`); a run event of an undeclared kind is refused. */
  eventKinds?: readonly PluginEventType[];
  /** Journal step kinds the plugin writes (checked for overlaps when the kernel is built). */
  stepKinds?: readonly StepKind[];
}
