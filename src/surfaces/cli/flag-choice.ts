import type { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';

/**
 * A flag that must name one of an API enum (`--kind fact`), checked against the server's own schema so
 * the request is typed; a wrong value is the request.invalid (exit 2) the server would have answered.
 */
export function flagChoice<E extends z.ZodEnum>(schema: E, value: string, flag: string): z.output<E> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AgentOsError(
    'request.invalid',
    `${flag} must be one of ${schema.options.join(', ')}, got "${value}"`,
  );
}

/** flagChoice for a flag that may be absent. */
export function optionalFlagChoice<E extends z.ZodEnum>(
  schema: E,
  value: string | undefined,
  flag: string,
): z.output<E> | undefined {
  return value === undefined ? undefined : flagChoice(schema, value, flag);
}
