import { Hono } from 'hono';
import { z } from 'zod';
import { migrationStatus } from '../../../core/store/migrate.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const healthSchema = z.object({ status: z.literal('ok'), store: z.string(), version: z.string() });

const storeHealthSchema = z
  .object({
    store: z.enum(['pglite', 'postgres']),
    schema: z.object({
      applied: z.array(z.number().int()),
      pending: z.array(z.number().int()),
      databaseVersion: z.number().int().meta({ description: 'The newest migration the database holds' }),
      codeVersion: z.number().int().meta({ description: 'The newest migration this server knows' }),
    }),
  })
  .meta({ id: 'StoreHealth' });

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

  defineRoute(
    routes,
    {
      method: 'get',
      path: '/health/store',
      resource: 'none',
      summary: "The store's kind and its schema's migrations (what `agentos doctor` checks beside a server)",
      tags: ['system'],
      public: true,
      responses: { 200: { description: 'The store answers', schema: storeHealthSchema } },
    },
    async (c) => c.json({ store: deps.store.kind, schema: await migrationStatus(deps.store) }),
  );
  return routes;
}
