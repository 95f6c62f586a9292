// Whether a `<provider>:<model>` name is one this server can serve, said as an error a builder can act on.
import { parseModelName } from '../config/model-name.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { modelInfo } from './model-catalogue.ts';
import type { ProviderModelsReport } from './provider-models.ts';

/** `a, b, c, … (12 more)`: enough of a list for a message. */
export function someOf(names: readonly string[], max = 8): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}

/**
 * The refusal for `name`, or undefined when it may be saved. A compatible server that did not answer
 * `/models` cannot say no: its names are accepted (it may be down only for now), and a run says the rest.
 */
export function modelAvailabilityProblem(
  report: ProviderModelsReport,
  name: string,
): AgentOsError | undefined {
  const { provider, model } = parseModelName(name);
  const entry = report.providers.find((p) => p.name === provider);
  const usable = report.providers.filter((p) => p.status !== 'not_configured').map((p) => p.name);
  if (entry === undefined) {
    return new AgentOsError(
      'model.unknown_provider',
      `Model "${name}" names the provider "${provider}", which is not configured; configured providers: ${someOf(usable)}.`,
      { name, provider, configured: usable },
    );
  }
  if (entry.status === 'not_configured') {
    return new AgentOsError(
      'model.provider_not_configured',
      `Model "${name}" needs the provider "${provider}", which is not configured (${entry.message ?? 'no key'}).`,
      { name, provider },
    );
  }
  if (entry.modelSource === 'none') return undefined;
  if (entry.modelSource === 'catalogue' && modelInfo(provider, model).known) return undefined;
  const served = report.models.filter((m) => m.provider === provider).map((m) => m.name);
  if (served.includes(name)) return undefined;
  const where =
    entry.modelSource === 'catalogue'
      ? `is not in the ${provider} catalogue`
      : `is not among the models "${provider}" lists at ${entry.baseURL ?? 'its /models'}`;
  return new AgentOsError('model.unknown_model', `Model "${name}" ${where}; known: ${someOf(served)}.`, {
    name,
    provider,
    known: served.slice(0, 50),
  });
}
