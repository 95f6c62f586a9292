import type { Context } from 'hono';
import { type AgentRecord, getAgent } from '../../core/agents/agent-repo.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { agentResource } from '../../plugins/policy/cedar/cedar-entities.ts';
import type { CedarAction } from '../../plugins/policy/cedar/cedar-schema.ts';
import type { AppEnv } from './app-env.ts';

/**
 * The latest version of the agent `idOrName` when the caller may see it and do `action` on it. An agent of a
 * restricted space they do not see is reported exactly like a missing one (the denial is still audited).
 */
export async function agentFor(
  c: Context<AppEnv>,
  db: SqlClient,
  idOrName: string,
  action: CedarAction,
): Promise<AgentRecord> {
  const agent = await getAgent(db, c.get('principal').workspaceId, idOrName);
  const resource = agentResource(agent);
  const authorizer = c.get('authorizer');
  await authorizer.assertVisible(
    'agents.read',
    resource,
    new AgentOsError('resource.not_found', `No agent "${idOrName}"`),
  );
  if (action !== 'agents.read') await authorizer.assert(action, resource);
  return agent;
}
