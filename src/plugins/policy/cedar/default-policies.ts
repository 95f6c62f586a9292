/**
 * The policies shipped with Agent OS, by id: today's role rules (admin ⊇ builder ⊇ user, spelled out as role
 * lists so that a workspace's `forbid (principal in Role::"user", …)` touches only that role). Finer rules that
 * depend on the data (an approval is decided by its run's user or an admin; memory scopes) stay in their repos.
 */
export const DEFAULT_CEDAR_POLICIES: Readonly<Record<string, string>> = {
  'default.members': `permit (
  principal,
  action in [
    Action::"agents.read", Action::"runs.start", Action::"memories.read", Action::"memories.write",
    Action::"approvals.decide", Action::"skills.read"
  ],
  resource
) when {
  principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace
};`,
  // Runs (run-access.ts compiles the same rule to SQL for lists): every member may use the runs API, a run
  // belongs to the user it acts for, admins see every run; builders get usage aggregates, not people's runs.
  'default.runs_api': `permit (
  principal,
  action in [Action::"runs.read", Action::"runs.cancel", Action::"runs.resume"],
  resource is Workspace
) when { principal in [Role::"user", Role::"builder", Role::"admin"] && resource == principal.workspace };`,
  'default.runs_owner': `permit (
  principal,
  action in [Action::"runs.read", Action::"runs.cancel", Action::"runs.resume"],
  resource is Run
) when {
  principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace &&
  resource has owner && resource.owner == principal
};`,
  // A reply in a conversation is read by whoever reads the conversation (it is shared through its space).
  'default.runs_conversation': `permit (principal, action == Action::"runs.read", resource is Run) when {
  principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace &&
  resource has conversationOwner &&
  (resource.conversationOwner == principal ||
   (resource has conversationSpace && principal in resource.conversationSpace))
};`,
  'default.runs_admins': `permit (
  principal,
  action in [Action::"runs.read", Action::"runs.cancel", Action::"runs.resume"],
  resource is Run
) when { principal in Role::"admin" && resource in principal.workspace };`,
  // A restricted space's agents and runs are invisible to those who do not see the space (admins see all).
  'default.space_members_only': `forbid (
  principal,
  action in [
    Action::"agents.read", Action::"agents.update", Action::"agents.delete", Action::"runs.start",
    Action::"runs.read", Action::"runs.cancel", Action::"runs.resume", Action::"approvals.decide"
  ],
  resource
) when { resource has space && !(principal in resource.space) };`,
  'default.builders': `permit (
  principal,
  action in [
    Action::"agents.create", Action::"agents.update", Action::"agents.delete",
    Action::"triggers.manage", Action::"plans.manage", Action::"mcp.read", Action::"databases.read",
    Action::"skills.create", Action::"skills.update", Action::"skills.delete", Action::"skills.share"
  ],
  resource
) when { principal in [Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  'default.admins': `permit (
  principal,
  action in [
    Action::"keys.manage", Action::"users.manage", Action::"spaces.manage", Action::"policies.manage", Action::"audit.read",
    Action::"audit.verify", Action::"memories.consolidate", Action::"mcp.manage", Action::"databases.manage",
    Action::"scheduler.read"
  ],
  resource
) when { principal in Role::"admin" && resource in principal.workspace };`,
  // Members read eval results and run suites (each case also needs runs.start); builders write suites.
  'default.evals': `permit (principal, action in [Action::"evals.read", Action::"evals.run"], resource)
when { principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  'default.evals_builders': `permit (principal, action == Action::"evals.manage", resource)
when { principal in [Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  // Members read usage (their own runs' unless admin, see routes/usage.ts); only admins set budgets.
  'default.usage': `permit (principal, action == Action::"usage.read", resource)
when { principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  'default.budgets': `permit (principal, action == Action::"budgets.manage", resource)
when { principal in Role::"admin" && resource in principal.workspace };`,
  // Members read the knowledge sources of the spaces they see (checked in knowledge/source-access.ts) and search them.
  'default.knowledge': `permit (principal, action in [Action::"sources.read", Action::"knowledge.search"], resource)
when { principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  'default.knowledge_builders': `permit (
  principal,
  action in [Action::"sources.create", Action::"sources.update", Action::"sources.delete", Action::"sources.sync"],
  resource
) when { principal in [Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  // Members hold conversations; which one they may read or post in is conversations/conversation-access.ts's rule.
  'default.conversations': `permit (principal, action in [Action::"conversations.read", Action::"conversations.write"], resource)
when { principal in [Role::"user", Role::"builder", Role::"admin"] && resource in principal.workspace };`,
  // Which calls need a person or are refused is the tool gate's business; Cedar adds a workspace's forbids.
  'default.agents_call_tools': `permit (principal, action == Action::"callTool", resource)
when { principal in context.workspace };`,
};
