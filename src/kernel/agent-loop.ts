import type { AgentDefinition } from '../agents/agent-definition.ts';
import { getAgentVersionById } from '../agents/agent-repo.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { costUsd, modelInfo } from '../models/model-catalogue.ts';
import { parseModelName } from '../models/model-name.ts';
import { withRunBudget } from '../orchestration/run-budget.ts';
import { isTainted } from '../policy/information-flow.ts';
import { loadPolicy } from '../policy/policy-settings.ts';
import type { Store } from '../store/sql-client.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import { DeltaBuffer } from './delta-buffer.ts';
import { MODEL_CALL_INDEX, type ModelResult, readModelResult } from './journal-format.ts';
import { assistantMessage, type ChatMessage } from './messages.ts';
import type { ModelGateway, ModelToolSpec } from './model-gateway.ts';
import { hashInputs, type JournalStep, type RunJournal } from './run-journal.ts';
import type { RunError, RunRecord, RunUsage } from './run-record.ts';
import { runToolStep } from './tool-step.ts';

export interface LoopDeps {
  store: Store;
  gateway: ModelGateway;
  tools: ToolRegistry;
}

/** Why the loop stopped: the caller (the worker) decides what an abort means. */
export type LoopOutcome = 'finished' | 'paused';

const stepKey = (turn: number, callIndex: number) => `${turn}:${callIndex}`;

function budgetProblem(
  def: AgentDefinition,
  usage: RunUsage,
  turn: number,
  startedAt: Date | null,
): string | undefined {
  const { limits } = def;
  if (turn >= limits.maxSteps) return `reached the limit of ${limits.maxSteps} model steps`;
  const tokens = usage.inputTokens + usage.outputTokens;
  if (limits.maxTokens !== undefined && tokens >= limits.maxTokens)
    return `used ${tokens} of ${limits.maxTokens} tokens`;
  if (limits.maxCostUsd !== undefined && usage.costUsd >= limits.maxCostUsd) {
    return `spent $${usage.costUsd.toFixed(4)} of $${limits.maxCostUsd}`;
  }
  if (
    limits.timeoutMs !== undefined &&
    startedAt !== null &&
    Date.now() - startedAt.getTime() > limits.timeoutMs
  ) {
    return `ran longer than ${limits.timeoutMs} ms`;
  }
  return undefined;
}

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
 */
export async function driveRun(
  deps: LoopDeps,
  run: RunRecord,
  journal: RunJournal,
  signal: AbortSignal,
): Promise<LoopOutcome> {
  const agent = await getAgentVersionById(deps.store, run.agentId, run.agentVersion);
  const def = withRunBudget(agent.definition, run.input.budget);
  const { provider, model } = parseModelName(def.model);
  const info = modelInfo(provider, model);
  const steps = new Map<string, JournalStep>(
    (await journal.load()).map((s) => [stepKey(s.turn, s.callIndex), s]),
  );
  const tools = await deps.tools.forRun(run.workspaceId, def.tools);
  const specs = toolSpecs(def, tools);
  const granted = new Set(def.tools);
  const policy = await loadPolicy(deps.store, run.workspaceId);
  const messages: ChatMessage[] = [
    ...(def.instructions === '' ? [] : [{ role: 'system' as const, content: def.instructions }]),
    { role: 'user', content: run.input.task },
  ];
  let usage = run.usage;
  let invalidCalls = 0;
  await journal.markStarted();

  for (let turn = 0; ; turn++) {
    if (journal.cancelRequested || signal.aborted)
      throw signal.reason ?? new AgentOsError('run.cancelled', 'Cancelled');
    const inputsHash = hashInputs({ model: def.model, messages });
    const recorded = steps.get(stepKey(turn, MODEL_CALL_INDEX));
    let result: ModelResult;
    if (recorded?.status === 'completed') {
      if (recorded.inputsHash !== inputsHash) {
        throw new AgentOsError(
          'internal',
          `Run ${run.id} journal diverged at turn ${turn}: replayed inputs differ from the recorded ones`,
        );
      }
      result = readModelResult(recorded.result);
    } else {
      const problem = budgetProblem(def, usage, turn, run.startedAt);
      if (problem !== undefined) {
        await journal.finish('budget_exceeded', {
          error: { code: 'run.budget_exceeded', message: `The run ${problem}` },
        });
        return 'finished';
      }
      const deltas = new DeltaBuffer((text) => journal.appendDelta(turn, text));
      try {
        result = await deps.gateway.call(
          {
            model: def.model,
            messages,
            tools: specs,
            priority: run.priority,
            workspaceId: run.workspaceId,
            agentId: run.agentId,
            runId: run.id,
          },
          {
            signal,
            onTextDelta: (delta) => deltas.push(delta),
            // Live notice only: a lost lease surfaces at the next step write.
            onRetry: (retry) => void journal.appendRetry(turn, retry).catch(() => {}),
          },
        );
      } catch (error) {
        await deltas.close();
        if (signal.aborted) throw signal.reason;
        const failure: RunError =
          error instanceof AgentOsError
            ? {
                code: error.code,
                message: error.message,
                ...(error.details ? { details: error.details } : {}),
              }
            : { code: 'model.provider_error', message: String(error) };
        await journal.finish('failed', { error: failure });
        return 'finished';
      }
      await deltas.close();
      usage = await journal.recordModelStep(turn, def.model, inputsHash, result, costUsd(info, result));
    }
    messages.push(assistantMessage(result));
    if (result.toolCalls.length === 0) {
      await journal.finish('succeeded', { output: { text: result.text } });
      return 'finished';
    }

    // Derived from the journaled labels, so a replay taints exactly where the original run did.
    const tainted = run.input.untrusted === true || isTainted(messages, (name) => tools.get(name));
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
            policy,
            tainted,
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
      messages.push({ role: 'tool', call: result.toolCalls[index]!, result: outcome.result });
      if (outcome.invalid) invalidCalls++;
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
