import type { Context } from 'hono';
import type { z } from 'zod';
import { AgentOsError, describeIssues } from '../../core/errors/agent-os-error.ts';
import { assertRequestText } from './text-hygiene.ts';

const MAX_BODY_BYTES = 1_000_000;

/** Reads and validates a JSON body; malformed JSON and schema failures become 400s with distinct codes. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new AgentOsError('request.invalid', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new AgentOsError(
      'request.malformed_json',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseWith(schema, body, 'body');
}

/** Validates one part of a request; text holding a NUL or a lone surrogate is refused before the schema runs. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  assertRequestText(value, where);
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AgentOsError('request.invalid', `Invalid ${where}: ${describeIssues(result.error.issues)}`, {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    });
  }
  return result.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), 'query');
}
