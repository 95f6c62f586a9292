import type { Context } from 'hono';
import { listAgents } from '../../core/agents/agent-repo.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { AppEnv } from './app-env.ts';

/**
 * The agents the caller may not see (names and ids: a suite names its agent, an eval run keeps its id), read
 * once per request. A suite of one, and its eval runs (the agent's outputs), are hidden like missing ones; a
 * suite whose agent is gone stays visible: there is nothing left to hide.
 */
export async function hiddenAgents(c: Context<AppEnv>, db: SqlClient): Promise<ReadonlySet<string>> {
  const spaces = new Set(await c.get('authorizer').visibleSpaces());
  const hidden = new Set<string>();
  for (const agent of await listAgents(db, c.get('principal').workspaceId)) {
    const space = agent.definition.space;
    if (space === undefined || spaces.has(space)) continue;
    hidden.add(agent.id);
    hidden.add(agent.name);
  }
  return hidden;
}

export function assertSuiteVisible(
  hidden: ReadonlySet<string>,
  suite: { name: string; agent: string },
): void {
  if (hidden.has(suite.agent)) throw new AgentOsError('resource.not_found', `No eval suite "${suite.name}"`);
}

export function assertEvalRunVisible(
  hidden: ReadonlySet<string>,
  run: { id: string; agentId: string },
): void {
  if (hidden.has(run.agentId)) throw new AgentOsError('resource.not_found', `No eval run "${run.id}"`);
}
