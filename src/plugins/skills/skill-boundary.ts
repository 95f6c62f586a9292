import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { userGroupNames } from '../../core/identity/group-repo.ts';
import type { SpaceViewer } from '../../core/identity/space-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { toolEffect, toolStakes } from '../../core/tools/tool.ts';
import type { ToolRegistry } from '../../core/tools/tool-registry.ts';
import { callToolDecision } from '../policy/cedar/tool-call-authorization.ts';
import { assertWithinBoundary } from '../policy/org-boundary.ts';
import { loadPolicy } from '../policy/policy-settings.ts';

/** What a boundary check looks at: the skill's tools and sources, and the name of its space (if any). */
export interface SkillReach {
  name: string;
  tools: readonly string[];
  knowledge: readonly string[];
  spaceName?: string | undefined;
}

interface Issue {
  path: string;
  message: string;
}

const describe = (issues: readonly Issue[]) =>
  issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');

/** Tools this workspace does not have (not built in, and no connected MCP server offers them). */
function unknownTools(view: ToolRegistry, names: readonly string[]): Issue[] {
  return names.flatMap((name, index) =>
    view.has(name)
      ? []
      : [
          {
            path: `tools.${index}`,
            message: `no tool "${name}" in this workspace (not built in, and no connected MCP server offers it)`,
          },
        ],
  );
}

/** Tools the workspace's Cedar policies forbid to an agent acting for this user (in an untainted run). */
async function cedarRefusals(
  db: SqlClient,
  viewer: SpaceViewer,
  skill: SkillReach,
  view: ToolRegistry,
  policies: Readonly<Record<string, string>>,
): Promise<Array<Issue & { policyIds: string[] }>> {
  // Without policies of its own a workspace's shipped rules permit every call.
  if (Object.keys(policies).length === 0) return [];
  const groups = await userGroupNames(db, viewer.workspaceId, viewer.userId);
  return skill.tools.flatMap((name, index) => {
    const tool = view.get(name);
    if (tool === undefined) return [];
    const decision = callToolDecision({
      workspaceId: viewer.workspaceId,
      agent: { id: `skill:${skill.name}`, name: skill.name },
      user: { id: viewer.userId, role: viewer.role, groups },
      tool: name,
      effect: toolEffect(tool),
      stakes: toolStakes(tool),
      tainted: false,
      workspacePolicies: policies,
    });
    if (decision.allowed) return [];
    const why =
      decision.reasons.length > 0
        ? `forbidden for you by the workspace's Cedar policy ${decision.reasons.join(', ')}`
        : 'no Cedar policy permits it for you';
    return [{ path: `tools.${index}`, message: `"${name}" is ${why}`, policyIds: decision.reasons }];
  });
}

/**
 * Refuses a skill that reaches beyond what its saver may give an agent: anything outside the workspace's
 * boundary (tools, MCP servers, knowledge sources, its space: `policy.outside_boundary`), and — when the
 * process's tools are given, as when a skill is saved — a tool this workspace does not have
 * (`request.invalid`) or one the workspace's Cedar policies forbid to an agent acting for the saver
 * (`policy.outside_boundary`). This catches the mistake when it is made; the boundary itself is the tool
 * gate, which decides every call again for the run's user with the policies of that moment.
 */
export async function assertSkillWithinBoundary(
  db: SqlClient,
  viewer: SpaceViewer,
  skill: SkillReach,
  tools?: ToolRegistry,
): Promise<void> {
  const view = tools === undefined ? undefined : await tools.forRun(viewer.workspaceId, skill.tools);
  const unknown = view === undefined ? [] : unknownTools(view, skill.tools);
  if (unknown.length > 0) {
    throw new AgentOsError('request.invalid', `Invalid skill: ${describe(unknown)}`, { issues: unknown });
  }
  const policy = await loadPolicy(db, viewer.workspaceId);
  assertWithinBoundary(policy.settings.boundary, {
    tools: skill.tools,
    sources: skill.knowledge,
    space: skill.spaceName,
  });
  if (view === undefined) return;
  const refused = await cedarRefusals(db, viewer, skill, view, policy.cedarPolicies);
  if (refused.length === 0) return;
  throw new AgentOsError(
    'policy.outside_boundary',
    `Skill "${skill.name}" lists tools outside what an agent acting for you may call: ${describe(refused)}`,
    {
      issues: refused.map(({ path, message }) => ({ path, message })),
      policyIds: [...new Set(refused.flatMap((issue) => issue.policyIds))],
    },
  );
}
