import type { AgentDefinition } from '../../core/agents/agent-definition.ts';
import type { RunChecksDefinition } from '../../core/agents/criteria.ts';
import { parseModelName } from '../../core/config/model-name.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type ModelResult, readModelResult } from '../../core/kernel/journal-format.ts';
import type { AnswerHook } from '../../core/kernel/kernel-plugin.ts';
import type { ModelGateway } from '../../core/kernel/model-gateway.ts';
import { hashInputs, type JournalStep, type RunJournal } from '../../core/kernel/run-journal.ts';
import type { RunChecks, RunRecord } from '../../core/kernel/run-record.ts';
import { createRun, getRun } from '../../core/kernel/run-repo.ts';
import type { StepKind } from '../../core/kernel/step-kinds.ts';
import { costUsd, modelInfo } from '../../core/models/model-catalogue.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { openEscalation } from './check-escalations.ts';
import { evaluateCriteria, type JudgeCall } from './evaluate-criteria.ts';
import { toolCallsOf } from './tool-call-match.ts';

/** call_index (at the final turn) of the online checks' judge calls: this plus the criterion's position. */
export const CHECK_CALL_INDEX = 2_000_000;
export const CHECK_STEP_KINDS: readonly StepKind[] = [
  { name: 'check', callIndex: CHECK_CALL_INDEX, span: 1_000, readResult: readModelResult },
];

export interface EndOfRunCheckDeps {
  store: Store;
  gateway: ModelGateway;
  journal: RunJournal;
  /** The step this run's journal held for (turn, callIndex) when the attempt started: replayed, never re-called. */
  recorded: (turn: number, callIndex: number) => JournalStep | undefined;
  signal: AbortSignal;
}

/** The idempotency key of the n-th retry of a root run: a re-driven run finds the retry it started. */
const RETRY_KEY = /^checks:retry:(.+):(\d+)$/;

/** The task of a retry: the original task and why the last answer was not accepted. */
export function retryTask(task: string, failures: RunChecks['failures']): string {
  const reasons = failures.map((failure) => `- ${failure.criterion}: ${failure.detail}`).join('\n');
  return `${task}\n\nA previous answer to this task failed these checks; make sure the new answer meets them:\n${reasons}`;
}

async function startRetry(
  store: Store,
  run: RunRecord,
  checks: RunChecksDefinition,
  failures: RunChecks['failures'],
): Promise<Pick<RunChecks, 'retryRunId' | 'retriesExhausted'>> {
  const match = RETRY_KEY.exec(run.idempotencyKey ?? '');
  const rootId = match?.[1] ?? run.id;
  const done = Number(match?.[2] ?? 0);
  if (done >= checks.maxRetries) return { retriesExhausted: true };
  const root = rootId === run.id ? run : await getRun(store, run.workspaceId, rootId);
  const retry = await createRun(store, {
    workspaceId: run.workspaceId,
    agentId: run.agentId,
    agentVersion: run.agentVersion,
    userId: run.userId,
    input: { ...root.input, task: retryTask(root.input.task, failures) },
    priority: run.priority,
    idempotencyKey: `checks:retry:${rootId}:${done + 1}`,
    parentRunId: run.id,
  });
  return { retryRunId: retry.id };
}

/**
 * The agent's online checks (`definition.checks`) of a run's final answer, called by the loop just before it
 * ends the run. A judge's model call is a journaled step at CHECK_CALL_INDEX + the criterion's position, so a
 * replay reuses the verdict. On failure: `flag` only reports it, `retry` starts the task again (at most
 * `maxRetries` times, each retry a child of the run it retries), `escalate` opens an escalation for the run's user.
 */
export async function checkRunAnswer(
  deps: EndOfRunCheckDeps,
  run: RunRecord,
  def: AgentDefinition,
  turn: number,
  answer: string,
): Promise<RunChecks | undefined> {
  const checks = def.checks;
  if (checks === undefined) return undefined;
  const judge: JudgeCall = async (criterion, index, messages) => {
    const model = criterion.model ?? def.model;
    const callIndex = CHECK_CALL_INDEX + index;
    const inputsHash = hashInputs({ model, messages });
    const recorded = deps.recorded(turn, callIndex);
    if (recorded?.status === 'completed') {
      if (recorded.inputsHash !== inputsHash) {
        throw new AgentOsError(
          'internal',
          `Run ${run.id} journal diverged at the check of criterion ${index}`,
        );
      }
      return { text: readModelResult(recorded.result).text };
    }
    deps.journal.noteStepStart(turn, callIndex);
    let result: ModelResult;
    try {
      result = await deps.gateway.call(
        {
          model,
          messages,
          tools: [],
          priority: 'background',
          workspaceId: run.workspaceId,
          agentId: run.agentId,
          runId: run.id,
        },
        { signal: deps.signal },
      );
    } catch (error) {
      if (deps.signal.aborted) throw deps.signal.reason;
      return { error: error instanceof Error ? error.message : String(error) };
    }
    const { provider, model: id } = parseModelName(model);
    const name = criterion.name ?? `llm_judge#${index + 1}`;
    await deps.journal.recordModelStep(
      turn,
      model,
      inputsHash,
      result,
      costUsd(modelInfo(provider, id), result),
      {
        kind: 'check',
        callIndex,
        input: { criterion: name },
        event: { type: 'checks.judged', data: { turn, criterion: name } },
      },
    );
    return { text: result.text };
  };
  const toolCalls = toolCallsOf(await deps.journal.load());
  const results = await evaluateCriteria(checks.criteria, { task: run.input.task, answer, toolCalls }, judge);
  const failures = results
    .filter((result) => !result.passed)
    .map((result) => ({ criterion: result.name, kind: result.kind, detail: result.detail }));
  if (failures.length === 0) return { passed: true, failures: [] };
  const outcome: RunChecks = { passed: false, failures, onFail: checks.onFail };
  if (checks.onFail === 'retry')
    return { ...outcome, ...(await startRetry(deps.store, run, checks, failures)) };
  if (checks.onFail === 'escalate') {
    return { ...outcome, escalationId: await openEscalation(deps.store, run, failures) };
  }
  return outcome;
}

/** The online checks as an answer hook: their verdicts join the run's output as `checks`. */
export const checksHook: AnswerHook = async (ctx) => {
  const checks = await checkRunAnswer(
    {
      store: ctx.store,
      gateway: ctx.gateway,
      journal: ctx.journal,
      recorded: ctx.recorded,
      signal: ctx.signal,
    },
    ctx.run,
    ctx.def,
    ctx.turn,
    ctx.answer,
  );
  return checks === undefined ? undefined : { checks };
};
