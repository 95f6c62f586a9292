import type { Context, Env, Hono } from 'hono';
import type { z } from 'zod';
import type { CedarAction } from '../../plugins/policy/cedar/cedar-schema.ts';
import { assertRequestText } from './text-hygiene.ts';
import { parseWith, readJson } from './validate.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * What a route acts on, declared by every route: the permission matrix (test/policy/openapi-matrix.test.ts)
 * builds its fixtures from it, and a route without one is refused when the app is assembled.
 */
export const RESOURCE_KINDS = [
  'workspace',
  'agent',
  'run',
  'approval',
  'artefact',
  'memory',
  'memory-block',
  'space',
  'group',
  'user',
  'key',
  'session',
  'source',
  'skill',
  'trigger',
  'plan',
  'eval',
  'usage',
  'budget',
  'audit',
  'policy',
  'mcp-server',
  'database',
  'conversation',
  /** Public routes that act on nothing of anyone's (health, the OpenAPI document). */
  'none',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface RouteResponseSpec {
  description: string;
  /** The JSON body (its `io: 'output'` shape); absent when only described. */
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
  /** The same answer in other media types, chosen by the request's Accept header: `{ 'application/json': schema }`. */
  alternatives?: Readonly<Record<string, z.ZodType>>;
}

/**
 * One route, declared once: Hono registers it from this, the handler gets its inputs parsed by these
 * schemas, and the OpenAPI document (openapi/openapi-document.ts) is generated from the same object.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Hono syntax, relative to where the router is mounted: `/agents/:idOrName`. */
  path: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  resource: ResourceKind;
  /** Checked before the handler; absent when the handler authorizes against a specific resource itself. */
  action?: CedarAction;
  /** Without a params schema, every `:name` in the path is a string parameter. */
  params?: z.ZodType;
  /** Without a query schema the query string is ignored. */
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * A file upload the handler reads itself (never buffered whole by the router): multipart/form-data with
   * `file` fields, or a raw body of one of `mediaTypes`. Only described in the OpenAPI document.
   */
  upload?: { mediaTypes: readonly string[]; description: string };
  /**
   * A body the handler reads itself because it takes several media types (`{ 'text/markdown': …,
   * 'application/json': … }`): described in the OpenAPI document, not parsed here. Not with `body`.
   */
  rawBody?: Readonly<Record<string, z.ZodType>>;
  /** Lower-case header names. */
  headers?: z.ZodType;
  responses: Readonly<Record<number, RouteResponseSpec>>;
  /** Served without an API key (health, the OpenAPI document). */
  public?: boolean;
}

type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

type Parsed<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S['params'], Record<PathParams<S['path']>, string>>;
  query: Parsed<S['query'], undefined>;
  body: Parsed<S['body'], undefined>;
  headers: Parsed<S['headers'], undefined>;
}

/**
 * What a route's requests must carry for defineRoute: the authorizer the server's authentication put
 * there (its AppEnv holds that and more). Structural, so declaring a route needs nothing of the server.
 */
export interface RouteEnv extends Env {
  Variables: { authorizer: { assert(action: CedarAction): Promise<void> } };
}

export type RouteHandler<E extends RouteEnv, S extends RouteSpec> = (
  c: Context<E>,
  input: RouteInput<S>,
) => Response | Promise<Response>;

const specsByRouter = new WeakMap<object, RouteSpec[]>();

/** The routes declared with defineRoute on this router, in declaration order. */
export function declaredRoutes(router: object): readonly RouteSpec[] {
  return specsByRouter.get(router) ?? [];
}

export function defineRoute<E extends RouteEnv, const S extends RouteSpec>(
  router: Hono<E>,
  spec: S,
  handler: RouteHandler<E, S>,
): void {
  if (!(RESOURCE_KINDS as readonly string[]).includes(spec.resource)) {
    throw new Error(
      `${spec.method.toUpperCase()} ${spec.path} declares no resource kind (one of ${RESOURCE_KINDS.join(', ')})`,
    );
  }
  if (spec.body !== undefined && spec.rawBody !== undefined) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path}: give body or rawBody, not both`);
  }
  if (spec.resource === 'none' && spec.public !== true) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path}: only a public route may act on no resource`);
  }
  const specs = specsByRouter.get(router) ?? [];
  specs.push(spec);
  specsByRouter.set(router, specs);
  router.on(spec.method.toUpperCase(), spec.path, async (c) => {
    // Against the caller's workspace; resource-specific checks happen in the handler.
    if (spec.action !== undefined) await c.get('authorizer').assert(spec.action);
    const input = {
      params: spec.params === undefined ? pathParams(c) : parseWith(spec.params, c.req.param(), 'path'),
      query: spec.query === undefined ? ignoredQuery(c) : parseWith(spec.query, c.req.query(), 'query'),
      headers: spec.headers === undefined ? undefined : parseWith(spec.headers, c.req.header(), 'headers'),
      body: spec.body === undefined ? undefined : await readJson(c, spec.body),
    } as RouteInput<S>;
    return handler(c, input);
  });
}

function pathParams(c: Context): Record<string, string> {
  const params = c.req.param();
  assertRequestText(params, 'path');
  return params;
}

/** A query the route does not declare is still refused when its text is unstorable (a handler may read it). */
function ignoredQuery(c: Context): undefined {
  assertRequestText(c.req.query(), 'query');
  return undefined;
}
