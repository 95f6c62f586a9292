// The tools an agent of one workspace could be granted: the process's own plus what its sources offer.

import { type ToolDefinition, type ToolEffect, type ToolStakes, toolEffect, toolStakes } from './tool.ts';
import { mcpServerOfToolName } from './tool-name.ts';

export interface CatalogueTool {
  /** What an agent's `tools` grants. */
  name: string;
  description: string;
  stakes: ToolStakes;
  effect: ToolEffect;
  /** `built-in` (this process's tools, plugins' included) or the source's label, e.g. `mcp:<server>`. */
  origin: string;
}

/** A source that answers for names beginning `<prefix>__` but could not say which it offers now. */
export interface UnlistedPrefix {
  prefix: string;
  origin: string;
  message: string;
}

/** What one source offers a workspace: its tools, and the prefixes it answers for but could not list. */
export interface OfferedTools {
  tools: readonly { tool: ToolDefinition; origin: string }[];
  unlisted: readonly UnlistedPrefix[];
}

export interface ToolCatalogue {
  tools: CatalogueTool[];
  unlisted: UnlistedPrefix[];
}

export const catalogueTool = (tool: ToolDefinition, origin: string): CatalogueTool => ({
  name: tool.name,
  description: tool.description,
  stakes: toolStakes(tool),
  effect: toolEffect(tool),
  origin,
});

/** Joins the process's tools and the sources' offers; a name the process has wins over a source's. */
export function joinCatalogue(
  own: readonly ToolDefinition[],
  offers: readonly OfferedTools[],
): ToolCatalogue {
  const tools = own.map((tool) => catalogueTool(tool, 'built-in'));
  const names = new Set(tools.map((tool) => tool.name));
  for (const offer of offers) {
    for (const { tool, origin } of offer.tools) {
      if (names.has(tool.name)) continue;
      names.add(tool.name);
      tools.push(catalogueTool(tool, origin));
    }
  }
  tools.sort((a, b) => a.name.localeCompare(b.name));
  return { tools, unlisted: offers.flatMap((offer) => offer.unlisted) };
}

/** Whether `name` is granted something real: a listed tool, or a name under a source that did not answer. */
export function catalogueKnows(catalogue: ToolCatalogue, name: string): boolean {
  if (catalogue.tools.some((tool) => tool.name === name)) return true;
  return catalogue.unlisted.some((entry) => mcpServerOfToolName(name) === entry.prefix);
}
