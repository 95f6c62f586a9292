import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

/**
 * A zod schema as an OpenAPI 3.1 Schema Object (JSON Schema 2020-12). Schemas named with
 * `.meta({ id })` are moved into `components` (`named`) and referenced, so each is written once.
 */
export function toOpenApiSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  named: Map<string, JsonSchema>,
): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    cycles: 'ref',
    reused: 'inline',
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = converted;
  for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    // Request and response shapes of one named schema can differ (defaults, transforms): name them apart.
    named.set(componentName(id, io), rewriteRefs(definition, io) as JsonSchema);
  }
  return rewriteRefs(rest, io) as JsonSchema;
}

function componentName(id: string, io: 'input' | 'output'): string {
  return io === 'output' ? id : `${id}Input`;
}

function rewriteRefs(value: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, io));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      out[key] = `#/components/schemas/${componentName(item.slice('#/$defs/'.length), io)}`;
    } else {
      out[key] = rewriteRefs(item, io);
    }
  }
  return out;
}
