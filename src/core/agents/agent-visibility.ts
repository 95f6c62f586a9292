import { AgentOsError } from '../errors/agent-os-error.ts';
import { memberSeesSpace, visibleSpaceIds } from '../identity/space-repo.ts';
import { getMembershipRole } from '../identity/user-repo.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { type AgentRecord, listAgents } from './agent-repo.ts';

/**
 * Whether a user may see (and so run) an agent: agents outside any space are the workspace's; an agent in a
 * space is visible to those who see the space. `userId` null is the system acting (a trigger's owner is
 * always a user, so this is only internal work). Checked at every start, so a revoked membership bites at once.
 */
export async function userSeesAgent(
  db: SqlClient,
  agent: Pick<AgentRecord, 'workspaceId' | 'definition'>,
  userId: string | null,
): Promise<boolean> {
  const spaceId = agent.definition.space;
  if (spaceId === undefined || userId === null) return true;
  return memberSeesSpace(db, agent.workspaceId, userId, spaceId);
}

/**
 * As userSeesAgent, for work done later on a user's behalf (a trigger firing, a plan step): the user must
 * also still be a member of the workspace, since an agent outside any space is visible to every member.
 */
export async function memberSeesAgent(
  db: SqlClient,
  agent: Pick<AgentRecord, 'workspaceId' | 'definition'>,
  userId: string | null,
): Promise<boolean> {
  if (userId !== null && (await getMembershipRole(db, agent.workspaceId, userId)) === undefined) return false;
  return userSeesAgent(db, agent, userId);
}

/** As userSeesAgent, but an invisible agent is reported exactly like a missing one. */
export async function assertUserSeesAgent(
  db: SqlClient,
  agent: Pick<AgentRecord, 'workspaceId' | 'definition' | 'name'>,
  userId: string | null,
): Promise<void> {
  if (!(await userSeesAgent(db, agent, userId)))
    throw new AgentOsError('resource.not_found', `No agent "${agent.name}"`);
}

/**
 * The space whose memory a run shares: its pinned agent version's space, while the run's user may still
 * see it (a membership revoked mid-run takes effect at the next call). Undefined without one.
 */
export async function runSpace(
  db: SqlClient,
  run: { workspaceId: string; userId: string | null; runId: string },
): Promise<string | undefined> {
  const { rows } = await db.query<{ space: string | null }>(
    `SELECT v.definition->>'space' AS space FROM runs r
     JOIN agent_versions v ON v.agent_id = r.agent_id AND v.version = r.agent_version WHERE r.id = $1`,
    [run.runId],
  );
  return visibleSpace(db, run, rows[0]?.space ?? undefined);
}

/** `spaceId` while the user may see it (always for the system, `userId` null); otherwise undefined. */
export async function visibleSpace(
  db: SqlClient,
  who: { workspaceId: string; userId: string | null },
  spaceId: string | undefined,
): Promise<string | undefined> {
  if (spaceId === undefined || who.userId === null) return spaceId;
  return (await memberSeesSpace(db, who.workspaceId, who.userId, spaceId)) ? spaceId : undefined;
}

/** The workspace's live agents this user may see (all of them for the system, `userId` null). */
export async function listVisibleAgents(
  db: SqlClient,
  workspaceId: string,
  userId: string | null,
): Promise<AgentRecord[]> {
  const agents = await listAgents(db, workspaceId);
  if (userId === null || agents.every((agent) => agent.definition.space === undefined)) return agents;
  const role = await getMembershipRole(db, workspaceId, userId);
  if (role === undefined) return [];
  const visible = new Set(await visibleSpaceIds(db, { workspaceId, userId, role }));
  return agents.filter(
    (agent) => agent.definition.space === undefined || visible.has(agent.definition.space),
  );
}
