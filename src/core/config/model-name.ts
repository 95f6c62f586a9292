// Model names are `<provider>:<model>`, e.g. `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`,
// `local:llama3.1:8b`. The provider is everything before the FIRST colon; the model id may contain colons.
import { z } from 'zod';
import { AgentOsError } from '../errors/agent-os-error.ts';

export interface ModelName {
  provider: string;
  model: string;
}

/** Same rule as the names of OpenAI-compatible providers in the config. */
const PROVIDER_PATTERN = /^[a-z][a-z0-9-]*$/;
const EXAMPLES = 'e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5" or "local:llama3.1:8b"';

/** Returns a human explanation of what is wrong with `name`, or undefined when it is valid. */
export function modelNameProblem(name: string): string | undefined {
  if (name.trim() === '') return `A model name is required, written as <provider>:<model> (${EXAMPLES}).`;
  if (/\s/.test(name)) return `Model name "${name}" must not contain whitespace.`;
  const colon = name.indexOf(':');
  if (colon === -1) {
    return `Model name "${name}" has no provider: write it as <provider>:<model> (${EXAMPLES}).`;
  }
  const provider = name.slice(0, colon);
  const model = name.slice(colon + 1);
  if (provider === '') return `Model name "${name}" has an empty provider before the colon (${EXAMPLES}).`;
  if (!PROVIDER_PATTERN.test(provider)) {
    return (
      `Model name "${name}" has an invalid provider "${provider}": use lowercase letters, digits and dashes, ` +
      'starting with a letter.'
    );
  }
  if (model === '') return `Model name "${name}" has an empty model id after "${provider}:" (${EXAMPLES}).`;
  return undefined;
}

/** Splits `<provider>:<model>` at the first colon; throws AgentOsError('model.invalid_name') when invalid. */
export function parseModelName(name: string): ModelName {
  const problem = modelNameProblem(name);
  if (problem !== undefined) throw new AgentOsError('model.invalid_name', problem, { name });
  const colon = name.indexOf(':');
  return { provider: name.slice(0, colon), model: name.slice(colon + 1) };
}

export function formatModelName(name: ModelName): string {
  return `${name.provider}:${name.model}`;
}

/** A `<provider>:<model>` string, for agent definitions and API bodies. Validation only: the value stays a string. */
export const modelNameSchema = z.string().superRefine((value, ctx) => {
  const problem = modelNameProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
