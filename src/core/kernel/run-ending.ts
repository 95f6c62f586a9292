import { AgentOsError } from '../errors/agent-os-error.ts';
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

/** A thrown error as the run's error: a budget stop keeps its own, other errors their code. */
export function runError(error: unknown): RunError {
  if (error instanceof BudgetExceededError) return error.runError;
  return error instanceof AgentOsError
    ? { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }
    : { code: 'model.provider_error', message: String(error) };
}
