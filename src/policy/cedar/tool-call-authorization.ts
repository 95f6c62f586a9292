import { userGroupNames } from '../../identity/group-repo.ts';
import type { Role } from '../../identity/roles.ts';
import type { SqlClient } from '../../store/sql-client.ts';
import type { ToolEffect, ToolStakes } from '../../tools/tool.ts';
import { authorize, type Decision } from '../authorize.ts';
import { agentEntity, type CedarEntity, toolEntity, userEntity } from './cedar-entities.ts';

export interface ToolCallAuthorization {
  store: SqlClient;
  workspaceId: string;
  runId: string;
  tool: string;
  effect: ToolEffect;
  stakes: ToolStakes;
  tainted: boolean;
  /** The workspace's own Cedar policies; without any, the shipped ones allow every call and nothing is asked. */
  workspacePolicies: Readonly<Record<string, string>>;
}

/**
 * Cedar's `callTool`: may the run's agent, acting for the run's user, call this tool? Only a workspace's
 * own policies can refuse (the shipped ones permit every call), so without them nothing is evaluated.
 */
export async function authorizeToolCall(request: ToolCallAuthorization): Promise<Decision> {
  if (Object.keys(request.workspacePolicies).length === 0) {
    return { allowed: true, reasons: ['default.agents_call_tools'], errors: [] };
  }
  const { rows } = await request.store.query<{
    agent_id: string;
    name: string;
    user_id: string | null;
    role: Role | null;
  }>(
    `SELECT r.agent_id, a.name, r.user_id, m.role FROM runs r
     JOIN agents a ON a.id = r.agent_id
     LEFT JOIN memberships m ON m.workspace_id = r.workspace_id AND m.user_id = r.user_id
     WHERE r.id = $1`,
    [request.runId],
  );
  const run = rows[0];
  if (run === undefined) return { allowed: false, reasons: [], errors: [`no run ${request.runId}`] };
  const entities: CedarEntity[] = [];
  if (run.user_id !== null && run.role !== null) {
    const groups = await userGroupNames(request.store, request.workspaceId, run.user_id);
    entities.push(
      userEntity({ userId: run.user_id, workspaceId: request.workspaceId, role: run.role, groups }),
    );
  }
  return authorize({
    principal: agentEntity({
      agentId: run.agent_id,
      name: run.name,
      workspaceId: request.workspaceId,
      ...(run.user_id === null ? {} : { actingFor: run.user_id }),
    }),
    action: 'callTool',
    resource: toolEntity({ name: request.tool, effect: request.effect, stakes: request.stakes }),
    context: {
      workspace: { __entity: { type: 'Workspace', id: request.workspaceId } },
      tool: request.tool,
      effect: request.effect,
      stakes: request.stakes,
      tainted: request.tainted,
    },
    entities,
    workspacePolicies: request.workspacePolicies,
  });
}
