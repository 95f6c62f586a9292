import { Hono } from 'hono';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { buildOpenApiDocument } from '../../openapi/openapi-document.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

/** `GET /api/openapi.json`, public: the OpenAPI 3.1 document of every route declared on the mounted routers. */
export function openApiRoutes({ version, mounted }: Pick<RouteDeps, 'version' | 'mounted'>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  let cached: { routeCount: number; body: string } | undefined;
  defineRoute(
    routes,
    {
      method: 'get',
      path: '/openapi.json',
      resource: 'none',
      summary: 'This OpenAPI 3.1 document',
      tags: ['system'],
      public: true,
      responses: { 200: { description: 'The OpenAPI document', schema: looseObject } },
    },
    (c) => {
      const routeCount = mounted.reduce((sum, mount) => sum + mount.router.routes.length, 0);
      // Routes are only added while the app is assembled; rebuild if that ever changes.
      if (cached?.routeCount !== routeCount) {
        cached = { routeCount, body: JSON.stringify(buildOpenApiDocument(mounted, { version })) };
      }
      return c.body(cached.body, 200, { 'content-type': 'application/json' });
    },
  );
  return routes;
}
