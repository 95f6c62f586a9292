import type { AgentDefinition } from '../agents/agent-definition.ts';
import { getAgentVersionById } from '../agents/agent-repo.ts';
import { parseModelName } from '../config/model-name.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { costUsd, modelInfo } from '../models/model-catalogue.ts';
import type { Store } from '../store/sql-client.ts';
import { toStorable } from '../store/storable-text.ts';
import { taintSources } from '../tools/information-flow.ts';
import { canonicalToolName } from '../tools/tool-name.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import {
  type ContextSnapshot,
  contextSnapshotSchema,
  EMPTY_SNAPSHOT,
  gatherContext,
  isEmptySnapshot,
  preambleMessages,
  snapshotSources,
  snapshotTainted,
} from './context-builder.ts';
import { compactionPrompt, countAll, planCompaction, summaryMessage } from './context-compaction.ts';
import { DeltaBuffer } from './delta-buffer.ts';
import { type ModelResult, readModelResult } from './journal-format.ts';
import type { AnswerContext } from './kernel-plugin.ts';
import { assistantMessage, type ChatMessage } from './messages.ts';
import type { ModelCallHooks, ModelCallRequest, ModelGateway, ModelToolSpec } from './model-gateway.ts';
import type { PluginSet } from './plugin-set.ts';
import { promptRecord } from './prompt-record.ts';
import { endStatusFor, runError } from './run-ending.ts';
import { hashInputs, type JournalStep, type RunJournal } from './run-journal.ts';
import { budgetProblem, promptBudget } from './run-limits.ts';
import type { RunError, RunRecord, RunUsage } from './run-record.ts';
import { principalSources, runSources } from './run-sources.ts';
import { COMPACTION_CALL_INDEX, CONTEXT_CALL_INDEX, MODEL_CALL_INDEX } from './step-kinds.ts';
import { tokenCounterFor } from './token-counter.ts';
import { runToolStep } from './tool-step.ts';

export interface LoopDeps {
  store: Store;
  gateway: ModelGateway;
  tools: ToolRegistry;
  /** The kernel's plugins: the run's definition, context, gate, answer hooks (runtime/ composes them). */
  plugins: PluginSet;
}

/** Why the loop stopped: the caller (the worker) decides what an abort means. */
export type LoopOutcome = 'finished' | 'paused';

const stepKey = (turn: number, callIndex: number) => `${turn}:${callIndex}`;

function toolSpecs(def: AgentDefinition, tools: ToolRegistry): ModelToolSpec[] {
  return def.tools.flatMap((name) => {
    const tool = tools.get(name);
    return tool === undefined
      ? []
      : [{ name, description: tool.description, inputSchema: tools.jsonSchema(name) }];
  });
}

/**
 * The reason–act loop of one run attempt. It replays the journal first — a completed model step is
 * never called again, a completed tool call never executed again — then continues from where it stopped.
 * The context of every call is built here (context-builder.ts): the journaled starting context, then the
 * conversation, compacted into a journaled summary when it would outgrow the prompt budget.
 */
export async function driveRun(
  deps: LoopDeps,
  run: RunRecord,
  journal: RunJournal,
  signal: AbortSignal,
): Promise<LoopOutcome> {
  const { plugins } = deps;
  const scope = { store: deps.store, run };
  const agent = await getAgentVersionById(deps.store, run.agentId, run.agentVersion);
  // E.g. the pinned skills, merged in only while the run's user may still use each of them.
  const resolved = await plugins.definition({ ...scope, agent });
  if ('error' in resolved) {
    await journal.markStarted();
    await journal.finish('failed', { error: resolved.error });
    return 'finished';
  }
  const def = resolved.definition;
  const { provider, model } = parseModelName(def.model);
  const info = modelInfo(provider, model);
  const loaded = await journal.load();
  try {
    plugins.stepKinds.check(run.journalVersion, loaded);
  } catch (error) {
    if (!(error instanceof AgentOsError)) throw error;
    await journal.markStarted();
    await journal.finish('failed', { error: { code: error.code, message: error.message } });
    return 'finished';
  }
  const steps = new Map<string, JournalStep>(loaded.map((s) => [stepKey(s.turn, s.callIndex), s]));
  const tools = await deps.tools.forRun(run.workspaceId, def.tools);
  const specs = toolSpecs(def, tools);
  const granted = new Set(def.tools);
  const gate = await plugins.gate.open(scope);
  const counter = await tokenCounterFor(provider);
  const budgetTokens = def.memory.contextTokens ?? promptBudget(info);
  let usage = run.usage;
  let invalidCalls = 0;
  /** The previous turn's prompt, so a turn's journaled input keeps only what it added (prompt-record.ts). */
  let lastPrompt: ChatMessage[] | undefined;
  await journal.markStarted();

  /** Replays a recorded model step (checking its inputs) or makes the call; undefined when the run ended. */
  async function modelStep(
    turn: number,
    callIndex: number,
    messages: ChatMessage[],
    request: Omit<ModelCallRequest, 'model' | 'messages' | 'workspaceId' | 'agentId' | 'runId'>,
    record: (inputsHash: string, result: ModelResult, cost: number) => Promise<RunUsage>,
    hooks: Omit<ModelCallHooks, 'signal'> = {},
  ): Promise<ModelResult | RunError> {
    const inputsHash = hashInputs({ model: def.model, messages });
    const isTurn = callIndex === MODEL_CALL_INDEX;
    const previousPrompt = lastPrompt;
    if (isTurn) lastPrompt = messages;
    const recorded = steps.get(stepKey(turn, callIndex));
    if (recorded?.status === 'completed') {
      if (recorded.inputsHash !== inputsHash) {
        throw new AgentOsError(
          'internal',
          `Run ${run.id} journal diverged at turn ${turn}: replayed inputs differ from the recorded ones`,
        );
      }
      return readModelResult(recorded.result);
    }
    const prompt = isTurn ? promptRecord(def.model, messages, request.tools, previousPrompt) : null;
    journal.noteStepStart(turn, callIndex, prompt);
    let result: ModelResult;
    try {
      // Cleaned like everything journaled, so the next turn's inputs hash the same on a replay.
      result = toStorable(
        await deps.gateway.call(
          {
            model: def.model,
            messages,
            ...request,
            workspaceId: run.workspaceId,
            agentId: run.agentId,
            runId: run.id,
          },
          { signal, ...hooks },
        ),
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return runError(error);
    }
    usage = await record(inputsHash, result, costUsd(info, result));
    return result;
  }

  /** The starting context: as journaled, or gathered now when the run has not called its model yet. */
  async function startingContext(): Promise<{ snapshot: ContextSnapshot } | { error: RunError }> {
    const recorded = steps.get(stepKey(0, CONTEXT_CALL_INDEX));
    if (recorded !== undefined) return { snapshot: contextSnapshotSchema.parse(recorded.result) };
    // A run whose loop has begun started with nothing to add (an empty context is not journaled); only the
    // calls that build the context (a conversation's summary, the policy's intent) can precede its step.
    const begun = [...steps.values()].some((s) => s.turn > 0 || s.callIndex > CONTEXT_CALL_INDEX);
    if (begun) return { snapshot: EMPTY_SNAPSHOT };
    const gathered = await gatherContext(plugins.contributors, scope, def);
    const history = await conversationHistory(gathered);
    if (history !== undefined && !('key' in history)) return { error: history };
    const withHistory = history === undefined ? gathered : { ...gathered, [history.key]: history.value };
    const snapshot = { ...withHistory, ...(await derivedSections()) };
    if (!isEmptySnapshot(snapshot)) await journal.recordContextStep(snapshot, hashInputs(snapshot));
    return { snapshot };
  }

  /** What plugins derive from the task before anything else reaches the run (the policy's intent). */
  async function derivedSections(): Promise<Record<string, unknown>> {
    const sections: Record<string, unknown> = {};
    for (const contributor of plugins.contributors) {
      const derived = await contributor.derive?.(scope, {
        def,
        tools: def.tools.flatMap((name) => tools.get(name) ?? []),
        ask: async (callIndex, prompt, input, event) => {
          const result = await modelStep(
            0,
            callIndex,
            prompt,
            { tools: [], priority: run.priority },
            (inputsHash, result, cost) =>
              journal.recordModelStep(0, def.model, inputsHash, result, cost, {
                kind: plugins.stepKinds.nameAt(callIndex),
                callIndex,
                input,
                event: { type: event, data: { turn: 0, ...input } },
              }),
          );
          return 'text' in result ? result.text : result;
        },
      });
      Object.assign(sections, derived);
    }
    return sections;
  }

  /** A conversation run's history, in half of what the rest of its first prompt leaves of the budget. */
  async function conversationHistory(gathered: ContextSnapshot) {
    if (run.input.conversation === undefined) return undefined;
    const rest =
      countAll(counter, preambleMessages(def, run, gathered, plugins.contributors)) +
      counter.text(JSON.stringify(specs));
    const budget = Math.max(0, Math.floor((budgetTokens - rest) / 2));
    for (const contributor of plugins.contributors) {
      const history = await contributor.history?.(scope, {
        counter,
        budget,
        recorded: (callIndex) => steps.get(stepKey(0, callIndex)),
        summarize: async (callIndex, prompt, plan) => {
          const result = await modelStep(
            0,
            callIndex,
            prompt,
            { tools: [], priority: run.priority },
            (inputsHash, result, cost) =>
              journal.recordModelStep(0, def.model, inputsHash, result, cost, {
                kind: plugins.stepKinds.nameAt(callIndex),
                callIndex,
                input: plan,
                event: { type: 'context.compacted', data: { turn: 0, conversation: true, ...plan } },
              }),
          );
          return 'text' in result ? result.text : result;
        },
      });
      if (history !== undefined) return history;
    }
    return undefined;
  }

  const started = await startingContext();
  if ('error' in started) {
    await journal.finish(endStatusFor(started.error), { error: started.error });
    return 'finished';
  }
  const { snapshot } = started;
  const preamble = preambleMessages(def, run, snapshot, plugins.contributors);
  const fixedTokens = countAll(counter, preamble) + counter.text(JSON.stringify(specs));
  /** Everything after the preamble, and the turn each message belongs to. */
  const conversation: ChatMessage[] = [];
  const turns: number[] = [];
  /** Where untrusted content came from. Taint only grows: it survives the compaction of the messages that caused it. */
  const taintedEarlier = new Set<string>([
    ...(run.input.untrusted === true ? ['the task (content from outside)'] : []),
    ...(snapshotTainted(plugins.contributors, snapshot) ? ["the run's starting context"] : []),
  ]);
  const toolTaint = (messages: readonly ChatMessage[]) =>
    taintSources(messages, (name) => tools.get(canonicalToolName(name)));
  const principals = principalSources(def, run, snapshotSources(plugins.contributors, snapshot, run));
  /** What the run's principals wrote: the instructions, the task unless it is outside content, their messages. */
  const trustedInput = principals.filter((p) => p.kind === 'user').map((p) => p.text);

  /** Replaces the oldest turns by a summary when the next call would not fit; false when the run ended. */
  async function compactIfNeeded(turn: number): Promise<boolean> {
    const plan = planCompaction(counter, budgetTokens, fixedTokens, conversation, turns);
    if (plan === undefined) return true;
    const replaced = conversation.slice(0, plan.replaceCount);
    const input = { fromTurn: plan.fromTurn, toTurn: plan.toTurn, replacedMessages: plan.replaceCount };
    const result = await modelStep(
      turn,
      COMPACTION_CALL_INDEX,
      compactionPrompt(run.input.task, replaced),
      { tools: [], priority: run.priority },
      (inputsHash, result, cost) =>
        journal.recordModelStep(turn, def.model, inputsHash, result, cost, {
          kind: 'compaction',
          callIndex: COMPACTION_CALL_INDEX,
          input,
          event: { type: 'context.compacted', data: { turn, ...input } },
        }),
    );
    if (!('text' in result)) {
      await journal.finish(endStatusFor(result), { error: result });
      return false;
    }
    for (const source of toolTaint(replaced)) taintedEarlier.add(source);
    conversation.splice(0, plan.replaceCount, summaryMessage(result.text, plan, taintedEarlier.size > 0));
    turns.splice(0, plan.replaceCount, plan.fromTurn);
    return true;
  }

  /** What the answer hooks (extraction, checks) get: this turn's journaled model calls and the run so far. */
  function answerContext(turn: number, answer: string, tainted: boolean): AnswerContext {
    return {
      ...scope,
      gateway: deps.gateway,
      journal,
      def,
      turn,
      answer,
      tainted,
      messages: conversation,
      signal,
      recorded: (t, i) => steps.get(stepKey(t, i)),
      modelStep: (callIndex, messages, request, record) =>
        modelStep(turn, callIndex, messages, request, record),
      withinBudget: () => budgetProblem(def, usage, 0, null) === undefined,
    };
  }

  for (let turn = 0; ; turn++) {
    plugins.turn(run.id, turn);
    if (journal.cancelRequested || signal.aborted)
      throw signal.reason ?? new AgentOsError('run.cancelled', 'Cancelled');
    const recorded = steps.get(stepKey(turn, MODEL_CALL_INDEX));
    if (recorded?.status !== 'completed') {
      const problem = budgetProblem(def, usage, turn, run.startedAt);
      if (problem !== undefined) {
        await journal.finish('budget_exceeded', {
          error: { code: 'run.budget_exceeded', message: `The run ${problem}` },
        });
        return 'finished';
      }
    }
    // A replayed turn compacts only where the original did: its prompt hash was taken after that compaction.
    if (recorded?.status !== 'completed' || steps.has(stepKey(turn, COMPACTION_CALL_INDEX))) {
      if (!(await compactIfNeeded(turn))) return 'finished';
    }
    const deltas = new DeltaBuffer((text) => journal.appendDelta(turn, text));
    const result = await modelStep(
      turn,
      MODEL_CALL_INDEX,
      [...preamble, ...conversation],
      { tools: specs, priority: run.priority },
      // The turn's last streamed text is written before the step that completes it, so a client that
      // joins deltas never sees the tail after `model.completed`.
      async (inputsHash, result, cost) => {
        await deltas.close();
        return journal.recordModelStep(turn, def.model, inputsHash, result, cost);
      },
      {
        onTextDelta: (delta) => deltas.push(delta),
        // Live notice only: a lost lease surfaces at the next step write.
        onRetry: (retry) => void journal.appendRetry(turn, retry).catch(() => {}),
      },
    ).finally(() => deltas.close());
    if (!('text' in result)) {
      await journal.finish(endStatusFor(result), { error: result });
      return 'finished';
    }
    conversation.push(assistantMessage(result));
    turns.push(turn);
    // Derived from the journaled labels, so a replay taints exactly where the original run did.
    const taintedBy = [...new Set([...taintedEarlier, ...toolTaint(conversation)])];
    const tainted = taintedBy.length > 0;
    if (result.toolCalls.length === 0) {
      const ctx = answerContext(turn, result.text, tainted);
      let output: Record<string, unknown> = { text: result.text, ...(tainted ? { tainted: true } : {}) };
      for (const hook of plugins.answerHooks) output = { ...output, ...(await hook(ctx)) };
      await journal.finish('succeeded', { output: output as { text: string } });
      return 'finished';
    }

    const outcomes = await Promise.all(
      result.toolCalls.map((call, index) =>
        runToolStep(
          {
            journal,
            store: deps.store,
            tools,
            granted,
            workspaceId: run.workspaceId,
            agentId: run.agentId,
            userId: run.userId,
            defaultTimeoutMs: def.limits.toolTimeoutMs,
            signal,
            gate,
            plugins,
            tainted,
            taintedBy,
            trustedInput,
            sources: runSources(principals, conversation, (name) => tools.get(canonicalToolName(name))),
            snapshot,
          },
          turn,
          index,
          call,
          steps.get(stepKey(turn, index)),
        ),
      ),
    );
    const pause = outcomes.find((outcome) => outcome.kind === 'pause');
    if (pause !== undefined) {
      const call = result.toolCalls[pause.pause.callIndex]!;
      if (pause.pause.reason === 'approval_required') await journal.pauseForApproval(pause.pause, pause.note);
      else if (pause.pause.reason === 'question')
        await journal.pauseForQuestion(pause.pause, call, pause.note);
      else await journal.pauseForUnknownOutcome(pause.pause, call);
      return 'paused';
    }
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.kind !== 'result') continue;
      conversation.push({ role: 'tool', call: result.toolCalls[index]!, result: outcome.result });
      turns.push(turn);
      if (outcome.invalid) invalidCalls++;
    }
    const handedOver = outcomes.findIndex(
      (outcome, index) =>
        outcome.kind === 'result' &&
        !outcome.result.isError &&
        tools.get(canonicalToolName(result.toolCalls[index]!.name))?.endsRun === true,
    );
    if (handedOver !== -1) {
      // Control passed elsewhere (hand_off): the tool's answer is the run's.
      const outcome = outcomes[handedOver]!;
      const output = outcome.kind === 'result' ? outcome.result.output : undefined;
      const answer = (output as { answer?: unknown } | undefined)?.answer;
      const text = typeof answer === 'string' ? answer : JSON.stringify(output ?? null);
      const taintedNow = tainted || toolTaint(conversation).length > 0;
      await journal.finish('succeeded', { output: { text, ...(taintedNow ? { tainted: true } : {}) } });
      return 'finished';
    }
    if (invalidCalls > def.limits.maxInvalidToolCalls) {
      await journal.finish('failed', {
        error: {
          code: 'tool.invalid_arguments',
          message: `The model made ${invalidCalls} invalid tool calls (limit ${def.limits.maxInvalidToolCalls})`,
        },
      });
      return 'finished';
    }
  }
}
