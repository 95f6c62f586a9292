import type { Context } from 'hono';
import { listAgents } from '../agents/agent-repo.ts';
import { listVisibleAgents } from '../agents/agent-visibility.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { AppEnv } from './app-env.ts';

/**
 * The agents the caller may not see (names and ids): a suite of one, and its eval runs (the agent's outputs),
 * are hidden like missing ones. A suite whose agent is gone stays visible: there is nothing left to hide.
 */
export async function hiddenAgents(c: Context<AppEnv>, db: SqlClient): Promise<ReadonlySet<string>> {
  const { workspaceId, userId } = c.get('principal');
  const visible = new Set((await listVisibleAgents(db, workspaceId, userId)).map((agent) => agent.id));
  const hidden = new Set<string>();
  for (const agent of await listAgents(db, workspaceId)) {
    if (visible.has(agent.id)) continue;
    hidden.add(agent.id);
    hidden.add(agent.name);
  }
  return hidden;
}

export async function assertSuiteVisible(
  c: Context<AppEnv>,
  db: SqlClient,
  suite: { name: string; agent: string },
) {
  if ((await hiddenAgents(c, db)).has(suite.agent))
    throw new AgentOsError('resource.not_found', `No eval suite "${suite.name}"`);
}

export async function assertEvalRunVisible(
  c: Context<AppEnv>,
  db: SqlClient,
  run: { id: string; agentId: string },
) {
  if ((await hiddenAgents(c, db)).has(run.agentId))
    throw new AgentOsError('resource.not_found', `No eval run "${run.id}"`);
}
