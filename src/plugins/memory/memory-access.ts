import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type Role, roleAtLeast } from '../../core/identity/roles.ts';
import { canSeeSpace, visibleSpaceIds } from '../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { MemoryRecord, MemoryScope, ScopeRef } from './memory-record.ts';

/**
 * Who may read and write which memories.
 * - A user reads their own user scope, the workspace scope and open spaces; builders and admins also
 *   read every agent's and every space's scope. Nobody reads another user's user scope.
 * - A user writes their own user scope; builders and admins also write workspace, agent and space scopes.
 * - An agent in a run reads and writes its own agent scope, its user's user scope and the workspace scope
 *   (the workspace scope only when its user may write it there, or in a run without a user).
 */
export interface MemoryPrincipal {
  workspaceId: string;
  userId: string;
  role: Role;
}

export interface AgentPrincipal {
  workspaceId: string;
  agentId: string;
  userId: string | null;
  /** The space whose memory the run shares (see agents/agent-visibility.ts `runSpace`). */
  spaceId?: string | undefined;
}

const key = (scope: ScopeRef) => `${scope.scope}\u0000${scope.scopeId}`;

export const scopeIncludes = (scopes: readonly ScopeRef[], memory: Pick<MemoryRecord, 'scope' | 'scopeId'>) =>
  new Set(scopes.map(key)).has(key(memory));

/** Every scope a user may read, for search and listing. */
export async function readableScopes(db: SqlClient, principal: MemoryPrincipal): Promise<ScopeRef[]> {
  const scopes: ScopeRef[] = [
    { scope: 'user', scopeId: principal.userId },
    { scope: 'workspace', scopeId: principal.workspaceId },
  ];
  const elevated = roleAtLeast(principal.role, 'builder');
  const spaces = await visibleSpaceIds(db, principal);
  scopes.push(...spaces.map((id): ScopeRef => ({ scope: 'space', scopeId: id })));
  if (elevated) {
    // Only the agents they may edit: an agent of a restricted space they do not see is not theirs to read.
    const { rows: agents } = await db.query<{ id: string }>(
      `SELECT a.id FROM agents a JOIN agent_versions v ON v.agent_id = a.id AND v.version = a.latest_version
       WHERE a.workspace_id = $1 AND (v.definition->>'space' IS NULL OR v.definition->>'space' = ANY($2::text[]))
       ORDER BY a.id`,
      [principal.workspaceId, spaces],
    );
    scopes.push(...agents.map((agent): ScopeRef => ({ scope: 'agent', scopeId: agent.id })));
  }
  return scopes;
}

/** Resolves the scope a user writes to (defaults: own user scope, this workspace) and checks the right to. */
export async function writableScope(
  db: SqlClient,
  principal: MemoryPrincipal,
  scope: MemoryScope,
  scopeId: string | undefined,
): Promise<ScopeRef> {
  if (scope === 'user') {
    if (scopeId !== undefined && scopeId !== principal.userId) {
      throw new AgentOsError('auth.forbidden', "Memories in another user's scope cannot be written");
    }
    return { scope, scopeId: principal.userId };
  }
  if (!roleAtLeast(principal.role, 'builder')) {
    throw new AgentOsError(
      'auth.forbidden',
      `Writing ${scope}-scope memories needs the builder role; you are ${principal.role}`,
    );
  }
  if (scope === 'workspace') {
    if (scopeId !== undefined && scopeId !== principal.workspaceId) {
      throw new AgentOsError('request.invalid', 'scopeId of a workspace memory must be this workspace');
    }
    return { scope, scopeId: principal.workspaceId };
  }
  if (scopeId === undefined) throw new AgentOsError('request.invalid', `A ${scope} memory needs a scopeId`);
  const visible =
    scope === 'agent'
      ? await builderEditsAgent(db, principal, scopeId)
      : await canSeeSpace(db, principal, scopeId);
  if (!visible) throw new AgentOsError('resource.not_found', `No ${scope} "${scopeId}" in this workspace`);
  return { scope, scopeId };
}

/** Writing an agent's memory is editing the agent: it must exist here and its space (if any) be one they see. */
async function builderEditsAgent(
  db: SqlClient,
  principal: MemoryPrincipal,
  agentId: string,
): Promise<boolean> {
  const { rows } = await db.query<{ space: string | null }>(
    `SELECT v.definition->>'space' AS space FROM agents a
     JOIN agent_versions v ON v.agent_id = a.id AND v.version = a.latest_version
     WHERE a.workspace_id = $1 AND a.id = $2`,
    [principal.workspaceId, agentId],
  );
  const row = rows[0];
  if (row === undefined) return false;
  return row.space === null || canSeeSpace(db, principal, row.space);
}

/** A user may change a memory when they could write a new one in its scope. */
export async function assertWritable(
  db: SqlClient,
  principal: MemoryPrincipal,
  memory: Pick<MemoryRecord, 'scope' | 'scopeId'>,
): Promise<void> {
  await writableScope(db, principal, memory.scope, memory.scopeId);
}

/** The scopes an agent reads in a run: its own, its user's, its space's and the workspace's. */
export function agentReadableScopes(agent: AgentPrincipal): ScopeRef[] {
  return [
    { scope: 'agent', scopeId: agent.agentId },
    ...(agent.userId === null ? [] : [{ scope: 'user' as const, scopeId: agent.userId }]),
    ...(agent.spaceId === undefined ? [] : [{ scope: 'space' as const, scopeId: agent.spaceId }]),
    { scope: 'workspace', scopeId: agent.workspaceId },
  ];
}

/** The scopes an agent may write in a run: as it reads, but the workspace only with its user's right to. */
export async function agentWritableScopes(db: SqlClient, agent: AgentPrincipal): Promise<ScopeRef[]> {
  const readable = agentReadableScopes(agent);
  if (agent.userId === null) return readable;
  const role = await getMembershipRole(db, agent.workspaceId, agent.userId);
  return role !== undefined && roleAtLeast(role, 'builder')
    ? readable
    : readable.filter((scope) => scope.scope !== 'workspace');
}
