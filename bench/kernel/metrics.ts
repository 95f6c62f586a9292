// Arithmetic of the benchmark: percentiles, lower bounds on makespan (from the llm-sim README), Jain's index.
import type { SimFlags, SimStats } from './sim-server.ts';
import { ANSWER_TOKENS, TOOL_TURN_TOKENS } from './workload.ts';

/** Nearest-rank percentile of the finite values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Jain's fairness index: 1 when all shares are equal, 1/n when one party has everything. */
export function jainIndex(shares: readonly number[]): number | null {
  const sum = shares.reduce((a, b) => a + b, 0);
  const squares = shares.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? null : (sum * sum) / (shares.length * squares);
}

export interface Latency {
  ttftMs: number;
  msPerToken: number;
  prefillMsPer1k: number;
}

/** The simulator's latency model with its defaults filled in. */
export function latencyOf(flags: SimFlags): Latency {
  return {
    ttftMs: flags.ttftMs ?? 50,
    msPerToken: flags.msPerToken ?? 5,
    prefillMsPer1k: flags.prefillMsPer1kTokens ?? 2,
  };
}

/** Slot time of one tool-call turn and of one answer, by the latency model (prefill left out: < 1 ms here). */
export function callWeights(flags: SimFlags): { toolTurnMs: number; answerMs: number } {
  const { ttftMs, msPerToken } = latencyOf(flags);
  return {
    toolTurnMs: ttftMs + msPerToken * TOOL_TURN_TOKENS,
    answerMs: ttftMs + msPerToken * ANSWER_TOKENS,
  };
}

export interface Bound {
  chainMs: number;
  /** Σ L / K, with Σ L from the token counts the simulator reports for completed calls. */
  capacityMs: number;
  /** Σ busySlotMs / K as measured by the simulator. */
  busyCapacityMs: number;
  rateMs: number | null;
  boundMs: number;
}

/** max(chain bound, capacity bound[, rate bound]) for n agents of `steps` tool steps of `toolMs`. */
export function makespanBound(
  flags: SimFlags,
  stats: SimStats,
  agents: { n: number; steps: number; toolMs: number },
): Bound {
  const { ttftMs, msPerToken, prefillMsPer1k } = latencyOf(flags);
  const slots = stats.slots;
  const calls = agents.steps + 1;
  const avgPrompt = stats.completed > 0 ? stats.promptTokens / stats.completed : 0;
  const prefill = (prefillMsPer1k * avgPrompt) / 1_000;
  const { toolTurnMs, answerMs } = callWeights(flags);
  const chainMs = agents.steps * (toolTurnMs + prefill) + answerMs + prefill + agents.steps * agents.toolMs;
  const sumL =
    (prefillMsPer1k * stats.promptTokens) / 1_000 +
    ttftMs * stats.completed +
    msPerToken * stats.completionTokens;
  const capacityMs = sumL / slots;
  const busyCapacityMs = stats.busySlotMs / slots;
  const rpm = flags.rpm ?? 0;
  const avgL = stats.completed > 0 ? sumL / stats.completed : answerMs;
  const rateMs = rpm > 0 ? 60_000 * (Math.ceil((agents.n * calls) / rpm) - 1) + avgL : null;
  return {
    chainMs,
    capacityMs,
    busyCapacityMs,
    rateMs,
    boundMs: Math.max(chainMs, capacityMs, rateMs ?? 0),
  };
}

export const round = (value: number | null | undefined, digits = 2): number | null => {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
