import type { Run } from '../api/types.ts';

export interface DayRow {
  day: string;
  [agent: string]: number | string;
}

export interface AgentRow {
  agent: string;
  runs: number;
  tokens: number;
  costUsd: number;
}

/**
 * Tokens and cost per agent per day, and totals per agent, computed from the runs the API lists. Latency is
 * not: only the server knows how long each run sat paused for a person (GET /api/usage `avgLatencyMs`).
 */
export function usageSeries(runs: readonly Run[], agentName: (id: string) => string) {
  const days = new Map<string, DayRow>();
  const costDays = new Map<string, DayRow>();
  const agents = new Map<string, { runs: number; tokens: number; costUsd: number }>();
  for (const run of runs) {
    const day = run.createdAt.slice(0, 10);
    const agent = agentName(run.agentId);
    const tokens = run.usage.inputTokens + run.usage.outputTokens;
    const row = days.get(day) ?? { day };
    row[agent] = Number(row[agent] ?? 0) + tokens;
    days.set(day, row);
    const costRow = costDays.get(day) ?? { day };
    costRow[agent] = Number(costRow[agent] ?? 0) + run.usage.costUsd;
    costDays.set(day, costRow);
    const totals = agents.get(agent) ?? { runs: 0, tokens: 0, costUsd: 0 };
    totals.runs += 1;
    totals.tokens += tokens;
    totals.costUsd += run.usage.costUsd;
    agents.set(agent, totals);
  }
  const byDay = (map: Map<string, DayRow>) => [...map.values()].sort((a, b) => a.day.localeCompare(b.day));
  const perAgent: AgentRow[] = [...agents.entries()].map(([agent, t]) => ({
    agent,
    runs: t.runs,
    tokens: t.tokens,
    costUsd: t.costUsd,
  }));
  return { tokensByDay: byDay(days), costByDay: byDay(costDays), perAgent, agentNames: [...agents.keys()] };
}
