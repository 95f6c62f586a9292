import type { Hono } from 'hono';
import type { AppEnv } from '../server/app-env.ts';
import { defineRoute } from './define-route.ts';
import { looseObject } from './common-schemas.ts';
import { buildOpenApiDocument, type RouterMount } from './openapi-document.ts';

/** `GET /api/openapi.json`, public: the OpenAPI 3.1 document of every route declared on `mounts`. */
export function openApiDocumentRoute(
  router: Hono<AppEnv>,
  version: string,
  mounts: readonly RouterMount[],
): void {
  let cached: { routeCount: number; body: string } | undefined;
  defineRoute(
    router,
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
      const routeCount = mounts.reduce((sum, mount) => sum + mount.router.routes.length, 0);
      // Routes are only added while the app is assembled; rebuild if that ever changes.
      if (cached?.routeCount !== routeCount) {
        cached = { routeCount, body: JSON.stringify(buildOpenApiDocument(mounts, { version })) };
      }
      return c.body(cached.body, 200, { 'content-type': 'application/json' });
    },
  );
}
