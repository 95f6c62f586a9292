import { getAgent, getAgentVersionById } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../core/agents/agent-visibility.ts';
import { parseModelName } from '../../core/config/model-name.ts';
import { listRunSteps } from '../../core/kernel/journal-steps.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import { nextWake } from '../../core/kernel/run-events.ts';
import { isTerminal, type RunRecord } from '../../core/kernel/run-record.ts';
import { createRun, getRun } from '../../core/kernel/run-repo.ts';
import { costUsd, modelInfo } from '../../core/models/model-catalogue.ts';
import { newId } from '../../core/store/ids.ts';
import {
  type CaseResult,
  completeIfScored,
  type EvalRunRecord,
  getEvalRun,
  getSuite,
  insertEvalRun,
  listCaseResults,
  recordCaseScore,
} from './eval-repo.ts';
import { caseTask, type EvalCase, type EvalSuite } from './eval-suite.ts';
import { type CriterionResult, evaluateCriteria, type JudgeCall, summarize } from './evaluate-criteria.ts';
import { toolCallsOf } from './tool-call-match.ts';

export interface EvalRunView {
  evalRun: EvalRunRecord;
  cases: CaseResult[];
}

/**
 * Starts an eval run: every case becomes a real run of the agent (the given version, else its latest),
 * keyed `eval:<eval run>:<case>`. Nothing is scored here: `settleEvalRun` scores each case once its run ends.
 */
export async function startEvalRun(
  kernel: Kernel,
  request: { workspaceId: string; userId: string; suiteName: string; agentVersion?: number | undefined },
): Promise<EvalRunView> {
  const { definition: suite } = await getSuite(kernel.store, request.workspaceId, request.suiteName);
  const agent = await getAgent(kernel.store, request.workspaceId, suite.agent);
  await assertUserSeesAgent(kernel.store, agent, request.userId);
  const version = request.agentVersion ?? agent.version;
  await getAgentVersionById(kernel.store, agent.id, version);
  const id = newId('evr');
  const caseRuns: Array<{ caseId: string; runId: string }> = [];
  for (const evalCase of suite.cases) {
    const run = await createRun(kernel.store, {
      workspaceId: request.workspaceId,
      agentId: agent.id,
      agentVersion: version,
      userId: request.userId,
      input: {
        task: caseTask(evalCase),
        ...(evalCase.handoff === undefined ? {} : { handoff: evalCase.handoff }),
      },
      priority: 'standard',
      idempotencyKey: `eval:${id}:${evalCase.id}`,
    });
    caseRuns.push({ caseId: evalCase.id, runId: run.id });
  }
  await kernel.store.transaction((tx) =>
    insertEvalRun(tx, {
      id,
      workspaceId: request.workspaceId,
      suite,
      agentId: agent.id,
      agentVersion: version,
      userId: request.userId,
      caseRuns,
    }),
  );
  kernel.runs.queued(caseRuns.map((caseRun) => caseRun.runId));
  return readEvalRun(kernel, request.workspaceId, id);
}

async function readEvalRun(kernel: Kernel, workspaceId: string, id: string): Promise<EvalRunView> {
  const evalRun = await getEvalRun(kernel.store, workspaceId, id);
  return { evalRun, cases: await listCaseResults(kernel.store, id) };
}

/** The criteria of a case: the suite's, then its own. */
const criteriaOf = (suite: EvalSuite, evalCase: EvalCase) => [...suite.criteria, ...evalCase.criteria];

async function scoreCase(
  kernel: Kernel,
  evalRun: EvalRunRecord,
  evalCase: EvalCase,
  run: RunRecord,
  signal: AbortSignal | undefined,
): Promise<void> {
  const criteria = criteriaOf(evalRun.suite, evalCase);
  const answer = run.output?.text ?? '';
  const judgeUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let results: CriterionResult[];
  if (run.status !== 'succeeded') {
    const why = `the run ended ${run.status}${run.error === null ? '' : `: ${run.error.message}`}`;
    results = criteria.map((criterion, index) => ({
      name: criterion.name ?? `${criterion.kind}#${index + 1}`,
      kind: criterion.kind,
      passed: false,
      score: 0,
      detail: why,
    }));
  } else {
    const agentModel = (await getAgentVersionById(kernel.store, run.agentId, run.agentVersion)).definition
      .model;
    const judge: JudgeCall = async (criterion, _index, messages) => {
      const model = criterion.model ?? agentModel;
      try {
        const result = await kernel.gateway.call(
          {
            model,
            messages,
            tools: [],
            priority: 'background',
            workspaceId: run.workspaceId,
            agentId: run.agentId,
            runId: run.id,
          },
          { signal: signal ?? new AbortController().signal },
        );
        const { provider, model: id } = parseModelName(model);
        judgeUsage.inputTokens += result.inputTokens;
        judgeUsage.outputTokens += result.outputTokens;
        judgeUsage.costUsd += costUsd(modelInfo(provider, id), result);
        return { text: result.text };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    };
    const toolCalls = toolCallsOf(await listRunSteps(kernel.store, run.id));
    results = await evaluateCriteria(criteria, { task: run.input.task, answer, toolCalls }, judge);
  }
  const { passed, score } = summarize(results);
  await recordCaseScore(kernel.store, evalRun.id, {
    caseId: evalCase.id,
    passed,
    score,
    criteria: results,
    runStatus: run.status,
    answer: run.output?.text ?? null,
    inputTokens: run.usage.inputTokens,
    outputTokens: run.usage.outputTokens,
    costUsd: run.usage.costUsd,
    latencyMs:
      run.startedAt !== null && run.finishedAt !== null
        ? run.finishedAt.getTime() - run.startedAt.getTime()
        : null,
    judgeUsage,
  });
}

/**
 * Scores every case whose run has ended (a paused run keeps its case pending) and completes the eval run
 * when none is left. Safe to call from any process at any time: a case is recorded once.
 */
export async function settleEvalRun(
  kernel: Kernel,
  workspaceId: string,
  id: string,
  signal?: AbortSignal,
): Promise<EvalRunView> {
  const evalRun = await getEvalRun(kernel.store, workspaceId, id);
  if (evalRun.status === 'running') {
    const cases = new Map(evalRun.suite.cases.map((evalCase) => [evalCase.id, evalCase]));
    for (const result of await listCaseResults(kernel.store, id)) {
      const evalCase = cases.get(result.caseId);
      if (result.status !== 'pending' || evalCase === undefined) continue;
      const run = await getRun(kernel.store, workspaceId, result.runId);
      if (isTerminal(run.status)) await scoreCase(kernel, evalRun, evalCase, run, signal);
    }
    await completeIfScored(kernel.store, id);
  }
  return readEvalRun(kernel, workspaceId, id);
}

/** Settles the eval run until it completes, or returns its state after `timeoutMs`. */
export async function waitForEvalRun(
  kernel: Kernel,
  workspaceId: string,
  id: string,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<EvalRunView> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const view = await settleEvalRun(kernel, workspaceId, id, options.signal);
    if (view.evalRun.status === 'completed' || Date.now() >= deadline || options.signal?.aborted) return view;
    const pending = view.cases.find((c) => c.status === 'pending');
    await nextWake(
      (wake) => (pending === undefined ? () => {} : kernel.events.onRunSettled(pending.runId, wake)),
      Math.min(250, Math.max(1, deadline - Date.now())),
    );
  }
}
