import { Hono } from 'hono';
import type { AppEnv, ServerDeps } from '../app-env.ts';

export function healthRoutes(deps: ServerDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/health', async (c) => {
    await deps.store.query('SELECT 1');
    return c.json({ status: 'ok', store: deps.store.kind, version: deps.version });
  });
  return routes;
}
