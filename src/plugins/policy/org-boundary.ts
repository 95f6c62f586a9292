import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { canonicalToolPattern, mcpServerOfToolName } from '../../core/tools/tool-name.ts';

/**
 * The organisation's boundary, set by admins per workspace: which tools, MCP servers, knowledge sources
 * and spaces agents may use at all. A list that is absent leaves that kind open; an empty list closes it.
 * Builders create agents (and skills) within it; the tool gate re-checks every call against the boundary
 * in force at that moment, so narrowing it takes effect at the next step of runs already under way.
 */
const toolPattern = z
  .string()
  .min(1)
  .max(200)
  .overwrite(canonicalToolPattern)
  .regex(/^[A-Za-z0-9_-]+(\*)?$/, 'must be a tool name, optionally ending in * (e.g. "github__*")');
const objectName = z.string().min(1).max(200);

export const orgBoundarySchema = z.strictObject({
  /** Tool names agents may be granted; a trailing `*` matches a prefix (`github__*`; `github.*` is read so). */
  tools: z.array(toolPattern).max(1_000).optional(),
  /** MCP servers whose tools (`<server>__<tool>`) agents may use. */
  mcpServers: z.array(objectName).max(1_000).optional(),
  /** Knowledge sources (by name) agents may search. */
  sources: z.array(objectName).max(1_000).optional(),
  /** Spaces (by name) agents may live in. */
  spaces: z.array(objectName).max(1_000).optional(),
});
export type OrgBoundary = z.output<typeof orgBoundarySchema>;

const matches = (pattern: string, name: string): boolean =>
  pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;

/** Why a tool is outside the boundary, or undefined when it is inside. `mcpServer` is set for MCP tools. */
export function toolOutsideBoundary(
  boundary: OrgBoundary,
  tool: string,
  mcpServer?: string | undefined,
): string | undefined {
  if (boundary.tools !== undefined && !boundary.tools.some((pattern) => matches(pattern, tool))) {
    return `the tool "${tool}" is outside the workspace's boundary`;
  }
  if (
    mcpServer !== undefined &&
    boundary.mcpServers !== undefined &&
    !boundary.mcpServers.includes(mcpServer)
  ) {
    return `the MCP server "${mcpServer}" is outside the workspace's boundary`;
  }
  return undefined;
}

export const sourceInBoundary = (boundary: OrgBoundary, source: string): boolean =>
  boundary.sources === undefined || boundary.sources.includes(source);

export const spaceInBoundary = (boundary: OrgBoundary, space: string): boolean =>
  boundary.spaces === undefined || boundary.spaces.includes(space);

/**
 * Refuses a definition (agent or skill) that names anything outside the boundary, listing every offender.
 */
export function assertWithinBoundary(
  boundary: OrgBoundary,
  what: { tools?: readonly string[]; sources?: readonly string[]; space?: string | undefined },
  mcpServerOf: (tool: string) => string | undefined = mcpServerOfToolName,
): void {
  const problems = [
    ...(what.tools ?? []).flatMap((tool) => toolOutsideBoundary(boundary, tool, mcpServerOf(tool)) ?? []),
    ...(what.sources ?? [])
      .filter((source) => !sourceInBoundary(boundary, source))
      .map((source) => `the knowledge source "${source}" is outside the workspace's boundary`),
    ...(what.space !== undefined && !spaceInBoundary(boundary, what.space)
      ? [`the space "${what.space}" is outside the workspace's boundary`]
      : []),
  ];
  if (problems.length > 0) {
    throw new AgentOsError(
      'policy.outside_boundary',
      `${problems.join('; ')} (an admin sets it: PUT /api/policy)`,
    );
  }
}
