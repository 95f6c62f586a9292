import type { RunError } from './run-record.ts';

/** The run error code of every exhausted limit, per-run or per-period: the run ends `budget_exceeded`. */
export const BUDGET_EXCEEDED_CODE = 'run.budget_exceeded';

/** A model call refused before it was made, because a workspace or agent budget is spent. */
export class BudgetExceededError extends Error {
  constructor(readonly runError: RunError) {
    super(runError.message);
    this.name = 'BudgetExceededError';
  }
}

/** The status a run ends with for an error its loop could not get past. */
export const endStatusFor = (error: RunError): 'budget_exceeded' | 'failed' =>
  error.code === BUDGET_EXCEEDED_CODE ? 'budget_exceeded' : 'failed';
