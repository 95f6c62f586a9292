import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { EvalRunView } from './eval-runner.ts';

export type CaseChange = 'better' | 'worse' | 'unchanged' | 'added' | 'removed';

export interface CaseComparison {
  caseId: string;
  change: CaseChange;
  before: { passed: boolean | null; score: number | null; runId: string } | null;
  after: { passed: boolean | null; score: number | null; runId: string } | null;
  /** The criteria that passed before and fail now (for `worse`), or the reverse (for `better`). */
  criteria: string[];
}

export interface RegressionReport {
  before: { evalRunId: string; agentVersion: number; score: number | null };
  after: { evalRunId: string; agentVersion: number; score: number | null };
  better: string[];
  worse: string[];
  unchanged: string[];
  added: string[];
  removed: string[];
  /** True when a case that passed before fails now: `agentos eval compare` then exits 1. */
  regressed: boolean;
  cases: CaseComparison[];
}

type Case = EvalRunView['cases'][number];

function flipped(from: Case, to: Case, wasPassing: boolean): string[] {
  const was = new Map((from.criteria ?? []).map((c) => [c.name, c.passed]));
  return (to.criteria ?? [])
    .filter((c) => was.get(c.name) === wasPassing && c.passed !== wasPassing)
    .map((c) => c.name);
}

/**
 * Which cases got better (failed, now pass), worse (passed, now fail) or stayed; a change of score without a
 * change of verdict is reported in `cases` but counts as unchanged. Both eval runs must be complete.
 */
export function compareEvalRuns(before: EvalRunView, after: EvalRunView): RegressionReport {
  for (const view of [before, after]) {
    if (view.evalRun.status !== 'completed') {
      throw new AgentOsError(
        'run.invalid_state',
        `Eval run ${view.evalRun.id} has not completed: wait for it before comparing`,
      );
    }
  }
  const beforeCases = new Map(before.cases.map((c) => [c.caseId, c]));
  const afterCases = new Map(after.cases.map((c) => [c.caseId, c]));
  const ids = [...new Set([...beforeCases.keys(), ...afterCases.keys()])];
  const side = (c: Case | undefined) =>
    c === undefined ? null : { passed: c.passed, score: c.score, runId: c.runId };
  const cases = ids.map((caseId): CaseComparison => {
    const from = beforeCases.get(caseId);
    const to = afterCases.get(caseId);
    let change: CaseChange = 'unchanged';
    let criteria: string[] = [];
    if (from === undefined) change = 'added';
    else if (to === undefined) change = 'removed';
    else if (from.passed === true && to.passed !== true) {
      change = 'worse';
      criteria = flipped(from, to, true);
    } else if (from.passed !== true && to.passed === true) {
      change = 'better';
      criteria = flipped(from, to, false);
    }
    return { caseId, change, before: side(from), after: side(to), criteria };
  });
  const named = (change: CaseChange) => cases.filter((c) => c.change === change).map((c) => c.caseId);
  const summary = (view: EvalRunView) => ({
    evalRunId: view.evalRun.id,
    agentVersion: view.evalRun.agentVersion,
    score: view.evalRun.score,
  });
  const worse = named('worse');
  return {
    before: summary(before),
    after: summary(after),
    better: named('better'),
    worse,
    unchanged: named('unchanged'),
    added: named('added'),
    removed: named('removed'),
    regressed: worse.length > 0,
    cases,
  };
}
