import { Hono } from 'hono';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { openApiDocumentRoute } from '../openapi/openapi-route.ts';
import type { AppEnv, ServerDeps } from './app-env.ts';
import { auditMutations } from './audit-mutations.ts';
import { authenticate } from './authenticate.ts';
import { errorResponse, toAgentOsError } from './error-response.ts';
import { agentRoutes } from './routes/agents.ts';
import { artefactRoutes } from './routes/artefacts.ts';
import { auditRoutes } from './routes/audit.ts';
import { groupRoutes } from './routes/groups.ts';
import { healthRoutes } from './routes/health.ts';
import { identityRoutes } from './routes/identity.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { memoryRoutes } from './routes/memories.ts';
import { memoryBlockRoutes } from './routes/memory-blocks.ts';
import { modelRoutes } from './routes/models.ts';
import { sessionRoutes, signInRoutes } from './routes/sessions.ts';
import { spaceRoutes } from './routes/spaces.ts';

export type RouteMount = (api: Hono<AppEnv>) => void;

/** The HTTP API: public health, then everything else behind an API key. */
export function createApp(deps: ServerDeps, extraRoutes: readonly RouteMount[] = []): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((error, c) => errorResponse(c, toAgentOsError(error, deps.log)));
  app.notFound((c) =>
    errorResponse(
      c,
      new AgentOsError('route.not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );

  const publicApi = healthRoutes(deps);
  const signIn = signInRoutes(deps);
  const api = new Hono<AppEnv>();
  // The document is built per request from what is declared by then, so routes mounted below count too.
  openApiDocumentRoute(publicApi, deps.version, [
    { prefix: '/api', router: publicApi },
    { prefix: '/api', router: signIn },
    { prefix: '/api', router: api },
  ]);
  app.route('/api', publicApi);
  app.route('/api', signIn);
  api.use('*', authenticate(deps.store, deps.log));
  api.use('*', auditMutations(deps));
  identityRoutes(api, deps);
  sessionRoutes(api, deps);
  agentRoutes(api, deps);
  modelRoutes(api, deps);
  memoryRoutes(api, deps);
  memoryBlockRoutes(api, deps);
  spaceRoutes(api, deps);
  groupRoutes(api, deps);
  knowledgeRoutes(api, deps);
  auditRoutes(api, deps);
  artefactRoutes(api, deps);
  for (const mount of extraRoutes) mount(api);
  app.route('/api', api);
  return app;
}
