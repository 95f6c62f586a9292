import type { AgentDefinition } from '../agents/agent-definition.ts';
import type { RunUsage } from './run-record.ts';

/** Which of the agent's limits a run has reached before its next model step (undefined: none). */
export function budgetProblem(
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

/** What the prompt may hold: the context window less the reply's reserve. */
export function promptBudget(info: { contextWindow: number; maxOutputTokens: number }): number {
  return info.contextWindow - Math.min(info.maxOutputTokens, Math.floor(info.contextWindow / 4));
}
