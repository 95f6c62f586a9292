import type { AgentDefinition } from '../../core/agents/agent-definition.ts';
import type { RunInput } from '../../core/kernel/journal-format.ts';
import type { RunUsage } from '../../core/kernel/run-record.ts';

export type RunBudget = NonNullable<RunInput['budget']>;

const tighter = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** The agent's limits, tightened by the run's own budget (a sub-agent's share of its parent's). */
export function withRunBudget(def: AgentDefinition, budget: RunBudget | undefined): AgentDefinition {
  if (budget === undefined) return def;
  const maxTokens = tighter(def.limits.maxTokens, budget.maxTokens);
  const maxCostUsd = tighter(def.limits.maxCostUsd, budget.maxCostUsd);
  return {
    ...def,
    limits: {
      ...def.limits,
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    },
  };
}

/** What a parent has left to give a child: its remaining tokens and dollars, where it has limits at all. */
export function remainingBudget(def: AgentDefinition, usage: RunUsage): RunBudget | undefined {
  const { maxTokens, maxCostUsd } = def.limits;
  if (maxTokens === undefined && maxCostUsd === undefined) return undefined;
  return {
    ...(maxTokens === undefined
      ? {}
      : { maxTokens: Math.max(0, maxTokens - usage.inputTokens - usage.outputTokens) }),
    ...(maxCostUsd === undefined ? {} : { maxCostUsd: Math.max(0, maxCostUsd - usage.costUsd) }),
  };
}
