// The check at save: an agent may only name a model its server can serve and tools it could be granted.
import { AgentOsError } from '../errors/agent-os-error.ts';
import { modelAvailabilityProblem, someOf } from '../models/model-availability.ts';
import type { ProviderModelsReport } from '../models/provider-models.ts';
import { catalogueKnows, type ToolCatalogue } from '../tools/tool-catalogue.ts';

export interface AvailableReferences {
  models: () => Promise<ProviderModelsReport>;
  /** The tool catalogue of the workspace the agent is saved in, as far as it concerns these names. */
  tools: (names: readonly string[]) => Promise<ToolCatalogue>;
}

/** Throws the first refusal (model first, then the unknown tools together); asks only what `refs` names. */
export async function assertAgentReferences(
  refs: { model?: string | undefined; tools?: readonly string[] | undefined },
  available: AvailableReferences,
): Promise<void> {
  if (refs.model !== undefined) {
    const problem = modelAvailabilityProblem(await available.models(), refs.model);
    if (problem !== undefined) throw problem;
  }
  if (refs.tools === undefined || refs.tools.length === 0) return;
  const catalogue = await available.tools(refs.tools);
  const unknown = refs.tools.filter((name) => !catalogueKnows(catalogue, name));
  if (unknown.length === 0) return;
  const names = unknown.map((name) => `"${name}"`).join(', ');
  throw new AgentOsError(
    'tool.not_registered',
    `${unknown.length === 1 ? 'Tool' : 'Tools'} ${names} ${unknown.length === 1 ? 'is' : 'are'} not registered; known: ${someOf(
      catalogue.tools.map((t) => t.name),
      12,
    )}.`,
    { unknown, known: catalogue.tools.map((t) => t.name).slice(0, 100) },
  );
}
