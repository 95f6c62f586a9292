import { Hono } from 'hono';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { ProviderModels } from '../../core/models/provider-models.ts';
import type { RouterMount } from '../openapi/openapi-document.ts';
import type { AppEnv, RouteDeps } from './app-env.ts';
import { auditMutations } from './audit-mutations.ts';
import { authenticate } from './authenticate.ts';
import { errorResponse, toAgentOsError } from './error-response.ts';
import { ROUTE_TABLE, type RouteSection } from './route-table.ts';

/**
 * The HTTP app: the route table mounted flat, section by section. A route declared without a resource
 * kind throws here, while the app is assembled (defineRoute refuses it), so such a process never serves.
 */
export function createApp(
  deps: Omit<RouteDeps, 'mounted' | 'providerModels'>,
  table: readonly RouteSection[] = ROUTE_TABLE,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((error, c) => errorResponse(c, toAgentOsError(error, deps.log)));
  app.notFound((c) =>
    errorResponse(
      c,
      new AgentOsError('route.not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );

  const mounted: RouterMount[] = [];
  const routeDeps: RouteDeps = {
    ...deps,
    mounted,
    providerModels: new ProviderModels(deps.config.providers),
  };
  for (const section of table) {
    if (section.access === 'api-key') {
      // Routes are matched in mount order: the public section, mounted before, never reaches these.
      app.use(`${section.prefix}/*`, authenticate(deps.store, deps.log), auditMutations(deps));
    }
    for (const routes of section.features) {
      const router = routes(routeDeps);
      app.route(section.prefix, router);
      mounted.push({ prefix: section.prefix, router });
    }
  }
  return app;
}
