import { AgentOsError } from '../../core/errors/agent-os-error.ts';

/** Collects a repeatable flag's values in order (`--arg a --arg b`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/**
 * Repeated `KEY=VALUE` flags (`--env TOKEN=abc`) as a record; the value may itself hold `=`. A value without
 * `=` or with an empty key, or a key given twice, is the request.invalid (exit 2) the server would answer.
 */
export function keyValueFlags(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) {
      throw new AgentOsError('request.invalid', `${flag} takes KEY=VALUE, got "${value}"`);
    }
    const key = value.slice(0, at);
    if (Object.hasOwn(out, key)) {
      throw new AgentOsError('request.invalid', `${flag} ${key} is given twice`);
    }
    out[key] = value.slice(at + 1);
  }
  return out;
}
