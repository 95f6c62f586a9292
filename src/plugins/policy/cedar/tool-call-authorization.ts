import { userGroupNames } from '../../../core/identity/group-repo.ts';
import type { Role } from '../../../core/identity/roles.ts';
import type { SqlClient } from '../../../core/store/sql-client.ts';
import type { ToolEffect, ToolStakes } from '../../../core/tools/tool.ts';
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
  const groups =
    run.user_id !== null && run.role !== null
      ? await userGroupNames(request.store, request.workspaceId, run.user_id)
      : [];
  return callToolDecision({
    ...request,
    agent: { id: run.agent_id, name: run.name },
    user: run.user_id !== null && run.role !== null ? { id: run.user_id, role: run.role, groups } : undefined,
  });
}

/** The Cedar question itself, once the agent and the user it acts for are known (no store access). */
export function callToolDecision(request: {
  workspaceId: string;
  agent: { id: string; name: string };
  /** The user the agent acts for; absent for system runs. */
  user: { id: string; role: Role; groups: readonly string[] } | undefined;
  tool: string;
  effect: ToolEffect;
  stakes: ToolStakes;
  tainted: boolean;
  workspacePolicies: Readonly<Record<string, string>>;
}): Decision {
  const { user } = request;
  const entities: CedarEntity[] =
    user === undefined
      ? []
      : [
          userEntity({
            userId: user.id,
            workspaceId: request.workspaceId,
            role: user.role,
            groups: user.groups,
          }),
        ];
  return authorize({
    principal: agentEntity({
      agentId: request.agent.id,
      name: request.agent.name,
      workspaceId: request.workspaceId,
      ...(user === undefined ? {} : { actingFor: user.id }),
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
