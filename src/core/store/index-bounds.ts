import { AgentOsError } from '../errors/agent-os-error.ts';

/**
 * Bounds for text that lands in a btree index. PostgreSQL refuses an index entry over ~2,700 bytes with an
 * internal error, so every indexed text column is bounded before the database sees it: by the API's zod
 * schemas, and here for the repository functions that internal paths (the CLI, first start) call directly.
 */
export const MAX_EMAIL_CHARS = 320;
export const MAX_NAME_CHARS = 200;

/** Refuses text longer than `max` characters with `request.invalid`, naming what it is. */
export function assertIndexable(text: string, max: number, what: string): void {
  if (text.length > max) {
    throw new AgentOsError(
      'request.invalid',
      `Invalid ${what}: at most ${max} characters (got ${text.length})`,
    );
  }
}
