import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import { TERMINAL_STATUSES } from '../../src/core/kernel/run-record.ts';
import type { SqlClient } from '../../src/core/store/sql-client.ts';
import type { CompletedToolStep, RunCounts } from './chaos-verify.ts';

export const CHAOS_AGENT = 'chaos';

export async function createChaosAgent(db: SqlClient, workspaceId: string): Promise<string> {
  const agent = await createAgent(db, {
    workspaceId,
    definition: agentDefinitionSchema.parse({
      name: CHAOS_AGENT,
      description: 'Performs side effects under chaos',
      model: 'chaos:sim-1',
      tools: ['effect_idem', 'effect_once'],
      limits: { maxSteps: 10 },
    }),
  });
  return agent.id;
}

export async function statusCounts(db: SqlClient): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM runs GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

export function nonTerminal(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([status]) => !(TERMINAL_STATUSES as readonly string[]).includes(status))
    .reduce((sum, [, n]) => sum + n, 0);
}

export async function finalCounts(db: SqlClient, stuck: number): Promise<RunCounts> {
  const counts = await statusCounts(db);
  const { rows } = await db.query<{ reason: string; n: number }>(
    `SELECT COALESCE(error->>'code', status) || ': ' || COALESCE(left(error->>'message', 120), '') AS reason, count(*)::int AS n
     FROM runs WHERE status NOT IN ('succeeded', 'queued', 'running') GROUP BY 1`,
  );
  return {
    lost: nonTerminal(counts),
    stuck,
    succeeded: counts.succeeded ?? 0,
    failed: (counts.failed ?? 0) + (counts.budget_exceeded ?? 0) + (counts.cancelled ?? 0),
    failures: Object.fromEntries(rows.map((row) => [row.reason, row.n])),
  };
}

export async function completedToolSteps(db: SqlClient): Promise<CompletedToolStep[]> {
  const { rows } = await db.query<{ key: string; name: string; via: string }>(
    "SELECT idempotency_key AS key, name, result->>'via' AS via FROM run_steps WHERE kind = 'tool' AND status = 'completed'",
  );
  return rows;
}
