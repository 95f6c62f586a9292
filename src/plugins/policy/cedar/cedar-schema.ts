/**
 * The Cedar schema every policy (shipped or a workspace's) is validated against. A user is in exactly one
 * Role group (their role in the workspace), in their Workspace, in a `Group::"<name>"` per group of theirs and
 * in a `Space::"<id>"` per space they see.
 */
export const CEDAR_SCHEMA = `
entity Workspace;
entity Role;
entity Group in [Workspace];
entity Space in [Workspace] { workspace: Workspace };
entity User in [Role, Workspace, Group, Space] { workspace: Workspace };
entity Agent in [Workspace] { workspace: Workspace, name: String, actingFor?: User, space?: Space };
entity Run in [Workspace] {
  workspace: Workspace, agent: Agent, owner?: User, space?: Space,
  conversationOwner?: User, conversationSpace?: Space
};
entity Tool { effect: String, stakes: String };

action "agents.read", "agents.create", "agents.update", "agents.delete"
  appliesTo { principal: User, resource: [Workspace, Agent] };
action "runs.start" appliesTo { principal: User, resource: [Workspace, Agent] };
action "runs.read", "runs.cancel", "runs.resume" appliesTo { principal: User, resource: [Workspace, Run] };
action "memories.read", "memories.write", "memories.consolidate"
  appliesTo { principal: User, resource: [Workspace, Space] };
action "approvals.decide" appliesTo { principal: User, resource: [Workspace, Run] };
action "audit.read", "audit.verify" appliesTo { principal: User, resource: Workspace };
action "keys.manage", "users.manage", "spaces.manage", "triggers.manage", "plans.manage", "policies.manage", "mcp.read", "mcp.manage", "databases.read", "databases.manage", "scheduler.read"
  appliesTo { principal: User, resource: Workspace };
action "skills.read", "skills.create", "skills.update", "skills.delete", "skills.share"
  appliesTo { principal: User, resource: Workspace };
action "evals.read", "evals.run", "evals.manage" appliesTo { principal: User, resource: Workspace };
action "usage.read", "budgets.manage" appliesTo { principal: User, resource: Workspace };
action "conversations.read", "conversations.write" appliesTo { principal: User, resource: Workspace };
action "sources.read", "sources.create", "sources.update", "sources.delete", "sources.sync", "knowledge.search"
  appliesTo { principal: User, resource: Workspace };
action "callTool" appliesTo {
  principal: Agent,
  resource: Tool,
  context: { workspace: Workspace, tool: String, effect: String, stakes: String, tainted: Bool }
};
`;

export const CEDAR_ACTIONS = [
  'agents.read',
  'agents.create',
  'agents.update',
  'agents.delete',
  'runs.start',
  'runs.read',
  'runs.cancel',
  'runs.resume',
  'memories.read',
  'memories.write',
  'memories.consolidate',
  'approvals.decide',
  'audit.read',
  'audit.verify',
  'keys.manage',
  'users.manage',
  'spaces.manage',
  'triggers.manage',
  'plans.manage',
  'policies.manage',
  'mcp.read',
  'mcp.manage',
  'databases.read',
  'databases.manage',
  'scheduler.read',
  'skills.read',
  'skills.create',
  'skills.update',
  'skills.delete',
  'skills.share',
  'evals.read',
  'evals.run',
  'evals.manage',
  'usage.read',
  'budgets.manage',
  'sources.read',
  'sources.create',
  'sources.update',
  'sources.delete',
  'sources.sync',
  'knowledge.search',
  'conversations.read',
  'conversations.write',
  'callTool',
] as const;
export type CedarAction = (typeof CEDAR_ACTIONS)[number];
