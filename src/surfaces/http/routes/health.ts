import { Hono } from 'hono';
import { z } from 'zod';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const healthSchema = z.object({ status: z.literal('ok'), store: z.string(), version: z.string() });

export function healthRoutes(deps: ServerDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  defineRoute(
    routes,
    {
      method: 'get',
      path: '/health',
      resource: 'none',
      summary: 'Whether the API and its store answer',
      tags: ['system'],
      public: true,
      responses: { 200: { description: 'The API and its store are up', schema: healthSchema } },
    },
    async (c) => {
      await deps.store.query('SELECT 1');
      return c.json({ status: 'ok', store: deps.store.kind, version: deps.version });
    },
  );
  return routes;
}
