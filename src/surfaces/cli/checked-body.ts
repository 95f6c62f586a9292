import type { z } from 'zod';
import { parseWith } from '../openapi/validate.ts';

/**
 * A body built from a user's file, checked against the schema the route itself parses it with, so it can
 * be sent as written (the server applies the defaults) typed as `Body`, the route's request body in the
 * OpenAPI document (generated from that schema). A bad one fails here with the server's own
 * request.invalid naming the field.
 */
export function assertBody<Body>(schema: z.ZodType, value: unknown): asserts value is Body {
  parseWith(schema, value, 'body');
}
