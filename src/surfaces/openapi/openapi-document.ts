import { errorBodySchema } from './common-schemas.ts';
import { declaredRoutes, type RouteSpec } from './define-route.ts';
import { type JsonSchema, toOpenApiSchema } from './json-schema.ts';

/** A router and the prefix it is mounted under (`app.route('/api', router)`); its paths are relative to it. */
export interface RouterMount {
  prefix: string;
  /** A Hono router of any env: what was declared on it comes from declaredRoutes, its size from `routes`. */
  router: { readonly routes: readonly unknown[] };
}

export interface OpenApiInfo {
  version: string;
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  system: 'Health and this document',
  identity: 'Workspaces, users and API keys',
  agents: 'Versioned agent definitions',
  runs: 'Durable runs of agents, their steps and events',
  approvals: 'Human approval of tool calls and the approval policy',
  orchestration: 'Questions, run trees, triggers and plans',
  memory: 'Memories and memory blocks',
  spaces: 'Spaces, groups and their members',
  policies: 'Cedar policies',
  audit: 'The signed audit log',
  mcp: 'MCP servers Agent OS connects to',
  scheduler: 'The LLM scheduler',
  artefacts: 'Files produced by runs',
  skills: 'Versioned skills (instructions, tools, knowledge) agents enable, and their SKILL.md files',
};

/** `/agents/:idOrName` → `/agents/{idOrName}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParamNames(honoPath: string): string[] {
  return [...honoPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] ?? '');
}

function operationId(spec: RouteSpec, fullPath: string): string {
  const words = fullPath
    .replace(/^\/api/, '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
  return [spec.method, ...words.map((word) => word[0]?.toUpperCase() + word.slice(1))].join('');
}

function objectParameters(
  schema: JsonSchema,
  location: 'path' | 'query' | 'header',
): Array<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function operationFor(spec: RouteSpec, fullPath: string, named: Map<string, JsonSchema>) {
  const parameters: Array<Record<string, unknown>> = [];
  if (spec.params === undefined) {
    for (const name of pathParamNames(spec.path)) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  } else {
    parameters.push(...objectParameters(toOpenApiSchema(spec.params, 'input', named), 'path'));
  }
  if (spec.query !== undefined) {
    parameters.push(...objectParameters(toOpenApiSchema(spec.query, 'input', named), 'query'));
  }
  if (spec.headers !== undefined) {
    parameters.push(...objectParameters(toOpenApiSchema(spec.headers, 'input', named), 'header'));
  }
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const contentType = response.contentType ?? 'application/json';
    const content: Record<string, unknown> = {
      [contentType]:
        response.schema === undefined ? {} : { schema: toOpenApiSchema(response.schema, 'output', named) },
    };
    for (const [other, schema] of Object.entries(response.alternatives ?? {})) {
      content[other] = { schema: toOpenApiSchema(schema, 'output', named) };
    }
    responses[status] = { description: response.description, content };
  }
  if (spec.query !== undefined || spec.body !== undefined || spec.params !== undefined) {
    responses['400'] = { $ref: '#/components/responses/InvalidRequest' };
  }
  if (spec.public !== true) {
    responses['401'] = { $ref: '#/components/responses/Unauthenticated' };
    responses['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  if (pathParamNames(spec.path).length > 0) responses['404'] = { $ref: '#/components/responses/NotFound' };
  responses.default = { $ref: '#/components/responses/Error' };
  return {
    operationId: operationId(spec, fullPath),
    summary: spec.summary,
    'x-agentos-resource': spec.resource,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [...spec.tags],
    ...(spec.public === true ? { security: [] } : {}),
    ...(spec.action === undefined ? {} : { 'x-agent-os-action': spec.action }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...requestBodyOf(spec, named),
    responses,
  };
}

function requestBodyOf(spec: RouteSpec, named: Map<string, JsonSchema>): { requestBody?: unknown } {
  if (spec.body !== undefined) {
    return {
      requestBody: {
        required: !spec.body.safeParse({}).success,
        content: { 'application/json': { schema: toOpenApiSchema(spec.body, 'input', named) } },
      },
    };
  }
  if (spec.upload !== undefined) return { requestBody: uploadBody(spec.upload) };
  if (spec.rawBody === undefined) return {};
  const content: Record<string, unknown> = {};
  for (const [mediaType, schema] of Object.entries(spec.rawBody)) {
    content[mediaType] = { schema: toOpenApiSchema(schema, 'input', named) };
  }
  return { requestBody: { required: true, content } };
}

/** A file upload's body: multipart `file` fields, or the file itself as a body of its own type. */
function uploadBody(upload: NonNullable<RouteSpec['upload']>) {
  const binary = { type: 'string', format: 'binary' };
  return {
    required: true,
    description: upload.description,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: { file: { type: 'array', items: binary } },
          required: ['file'],
        },
      },
      ...Object.fromEntries(upload.mediaTypes.map((type) => [type, { schema: binary }])),
    },
  };
}

function errorResponse(description: string) {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}

/** The OpenAPI 3.1 document of every route declared with defineRoute on these routers. */
export function buildOpenApiDocument(mounts: readonly RouterMount[], info: OpenApiInfo) {
  const named = new Map<string, JsonSchema>();
  const paths: Record<string, Record<string, unknown>> = {};
  const usedTags = new Set<string>();
  for (const { prefix, router } of mounts) {
    for (const spec of declaredRoutes(router)) {
      const fullPath = prefix === '/' ? spec.path : `${prefix}${spec.path}`;
      const item = paths[openApiPath(fullPath)] ?? {};
      item[spec.method] = operationFor(spec, fullPath, named);
      paths[openApiPath(fullPath)] = item;
      for (const tag of spec.tags) usedTags.add(tag);
    }
  }
  const errorSchema = toOpenApiSchema(errorBodySchema, 'output', named);
  return {
    openapi: '3.1.1',
    info: {
      title: 'Agent OS API',
      version: info.version,
      description:
        'The HTTP API of Agent OS. Errors are `{ "error": { "code", "message" } }` with a stable dotted code.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    security: [{ bearerApiKey: [] }, { consoleSession: [] }],
    tags: [...usedTags]
      .sort()
      .map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) })),
    paths,
    components: {
      securitySchemes: {
        bearerApiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'aos_…',
          description: 'An API key (`agentos keys create`), sent as `Authorization: Bearer <key>`.',
        },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'agentos_session',
          description: "The console's session cookie; state-changing requests also need its CSRF token.",
        },
      },
      schemas: {
        ...Object.fromEntries([...named].sort(([a], [b]) => a.localeCompare(b))),
        Error: errorSchema,
      },
      responses: {
        Error: errorResponse('An error, with a stable dotted code'),
        InvalidRequest: errorResponse(
          '`request.invalid`, `request.malformed_json` or `request.invalid_text` (a NUL or a lone surrogate)',
        ),
        Unauthenticated: errorResponse('`auth.missing` or `auth.invalid`: no valid API key or session'),
        Forbidden: errorResponse('`auth.forbidden`: a policy denies this action'),
        NotFound: errorResponse('`resource.not_found` / `run.not_found`'),
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
