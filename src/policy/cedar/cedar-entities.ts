import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { Role } from '../../identity/roles.ts';

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

/** A member of a workspace, in the group of their role and in their named groups (by name). */
export function userEntity(member: {
  userId: string;
  workspaceId: string;
  role: Role;
  groups?: readonly string[] | undefined;
}): CedarEntity {
  return {
    type: 'User',
    id: member.userId,
    attrs: { workspace: ref('Workspace', member.workspaceId) },
    parents: [
      { type: 'Role', id: member.role },
      { type: 'Workspace', id: member.workspaceId },
      ...(member.groups ?? []).map((name) => ({ type: 'Group', id: name })),
    ],
  };
}

/** An agent of a workspace; as the principal of a tool call, acting for the run's user (if any). */
export function agentEntity(agent: {
  agentId: string;
  name: string;
  workspaceId: string;
  actingFor?: string;
}): CedarEntity {
  return {
    type: 'Agent',
    id: agent.agentId,
    attrs: {
      workspace: ref('Workspace', agent.workspaceId),
      name: agent.name,
      ...(agent.actingFor === undefined ? {} : { actingFor: ref('User', agent.actingFor) }),
    },
    parents: [{ type: 'Workspace', id: agent.workspaceId }],
  };
}

export function toolEntity(tool: { name: string; effect: string; stakes: string }): CedarEntity {
  return { type: 'Tool', id: tool.name, attrs: { effect: tool.effect, stakes: tool.stakes } };
}
