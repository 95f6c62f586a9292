import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { Role } from '../../../core/identity/roles.ts';

export interface EntityRef {
  type: string;
  id: string;
}

/** An entity as the authorizer sees it: its attributes and the groups it is in. */
export interface CedarEntity extends EntityRef {
  attrs?: Record<string, CedarValueJson>;
  parents?: EntityRef[];
}

const ref = (type: string, id: string): { __entity: EntityRef } => ({ __entity: { type, id } });

/** The role groups. Not nested: the shipped policies list the roles they grant to (admin ⊇ builder ⊇ user). */
export const ROLE_ENTITIES: readonly CedarEntity[] = [
  { type: 'Role', id: 'admin' },
  { type: 'Role', id: 'builder' },
  { type: 'Role', id: 'user' },
];

export const workspaceEntity = (workspaceId: string): CedarEntity => ({ type: 'Workspace', id: workspaceId });

/**
 * A member of a workspace, in the group of their role, in their named groups (by name) and in every space they
 * see (`spaces`: open ones, restricted ones they belong to, all for an admin), so `principal in resource.space`
 * is the space rule.
 */
export function userEntity(member: {
  userId: string;
  workspaceId: string;
  role: Role;
  groups?: readonly string[] | undefined;
  spaces?: readonly string[] | undefined;
}): CedarEntity {
  return {
    type: 'User',
    id: member.userId,
    attrs: { workspace: ref('Workspace', member.workspaceId) },
    parents: [
      { type: 'Role', id: member.role },
      { type: 'Workspace', id: member.workspaceId },
      ...(member.groups ?? []).map((name) => ({ type: 'Group', id: name })),
      ...(member.spaces ?? []).map((id) => ({ type: 'Space', id })),
    ],
  };
}

/** An agent of a workspace; as the principal of a tool call, acting for the run's user (if any). */
export function agentEntity(agent: {
  agentId: string;
  name: string;
  workspaceId: string;
  actingFor?: string;
  /** The agent's space (absent: the workspace's). */
  space?: string | undefined;
}): CedarEntity {
  return {
    type: 'Agent',
    id: agent.agentId,
    attrs: {
      workspace: ref('Workspace', agent.workspaceId),
      name: agent.name,
      ...(agent.actingFor === undefined ? {} : { actingFor: ref('User', agent.actingFor) }),
      ...(agent.space === undefined ? {} : { space: ref('Space', agent.space) }),
    },
    parents: [{ type: 'Workspace', id: agent.workspaceId }],
  };
}

export function toolEntity(tool: { name: string; effect: string; stakes: string }): CedarEntity {
  return { type: 'Tool', id: tool.name, attrs: { effect: tool.effect, stakes: tool.stakes } };
}

/** An agent as a resource: its workspace and, when it has one, its space. */
export function agentResource(agent: {
  id: string;
  name: string;
  workspaceId: string;
  definition: { space?: string | undefined };
}): CedarEntity {
  return agentEntity({
    agentId: agent.id,
    name: agent.name,
    workspaceId: agent.workspaceId,
    space: agent.definition.space,
  });
}

/** A run: whose it is (the user it acts for), which agent, and the space of the agent version it runs. */
export function runEntity(run: {
  id: string;
  workspaceId: string;
  agentId: string;
  userId: string | null;
  space?: string | undefined;
  /** Set when the run answers in a conversation: who reads that conversation reads the run. */
  conversationOwner?: string | undefined;
  conversationSpace?: string | undefined;
}): CedarEntity {
  return {
    type: 'Run',
    id: run.id,
    attrs: {
      workspace: ref('Workspace', run.workspaceId),
      agent: ref('Agent', run.agentId),
      ...(run.userId === null ? {} : { owner: ref('User', run.userId) }),
      ...(run.space === undefined ? {} : { space: ref('Space', run.space) }),
      ...(run.conversationOwner === undefined
        ? {}
        : { conversationOwner: ref('User', run.conversationOwner) }),
      ...(run.conversationSpace === undefined
        ? {}
        : { conversationSpace: ref('Space', run.conversationSpace) }),
    },
    parents: [{ type: 'Workspace', id: run.workspaceId }],
  };
}
