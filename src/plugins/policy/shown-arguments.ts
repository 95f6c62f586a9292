import type { ToolDefinition } from '../../core/tools/tool.ts';

/** A string longer than this is shown cut, saying how much is left out; the approval's hash binds the whole. */
const MAX_SHOWN_CHARS = 16_000;
const MASK = '[secret]';

function cut(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_SHOWN_CHARS
      ? value
      : `${value.slice(0, MAX_SHOWN_CHARS)}… (${value.length - MAX_SHOWN_CHARS} more characters)`;
  }
  if (Array.isArray(value)) return value.map(cut);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, cut(inner)]));
  }
  return value;
}

/**
 * The arguments of a call as a person deciding on it sees them: the validated values the tool would get,
 * with the arguments the tool marks secret masked and very long strings cut.
 */
export function shownArguments(tool: Pick<ToolDefinition, 'secretArguments'>, input: unknown): unknown {
  const secret = new Set(tool.secretArguments ?? []);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return cut(input ?? null);
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, secret.has(key) ? MASK : cut(value)]),
  );
}
