import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderModels } from '../../src/core/models/provider-models.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type McpClients, startMcpClients } from '../../src/plugins/mcp/mcp-clients.ts';
import { createApp } from '../../src/surfaces/http/app.ts';
import type { AppEnv, RouteDeps } from '../../src/surfaces/http/app-env.ts';
import { ROUTE_TABLE } from '../../src/surfaces/http/route-table.ts';
import { declaredRoutes, defineRoute } from '../../src/surfaces/openapi/define-route.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

describe.each(storeTargets())('the route table on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let mcp: McpClients;
  let deps: Omit<RouteDeps, 'mounted' | 'providerModels'>;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    const { kernel, store } = h.agentOs;
    mcp = startMcpClients(store, kernel.tools, { home: h.config.home, version: 'test', log: () => {} });
    deps = { store, config: h.config, version: 'test', log: () => {}, kernel, mcpServers: mcp.manager };
  });
  afterAll(async () => {
    await mcp.close();
    await h.agentOs.stop();
    await model.close();
  });

  it('gives every /api feature its own router holding only the routes it declared (none mounts another)', () => {
    const apiSections = ROUTE_TABLE.filter((section) => section.prefix === '/api');
    const features = apiSections.flatMap((section) => section.features);
    expect(features.length).toBeGreaterThan(20);
    for (const routes of features) {
      const router = routes({ ...deps, mounted: [], providerModels: new ProviderModels(h.config.providers) });
      const declared = declaredRoutes(router).map((spec) => `${spec.method.toUpperCase()} ${spec.path}`);
      const registered = router.routes.map((route) => `${route.method} ${route.path}`);
      expect(declared.length).toBeGreaterThan(0);
      expect(registered).toEqual(declared);
    }
  });

  it('serves the public section without a key, the API section behind one, and the protocols on their own', async () => {
    const anonymous = (method: string, path: string) => fetch(`${h.url}${path}`, { method });
    expect((await anonymous('GET', '/api/health')).status).toBe(200);
    expect((await anonymous('GET', '/api/openapi.json')).status).toBe(200);
    expect((await anonymous('POST', '/api/sessions')).status).toBe(400);
    expect((await anonymous('GET', '/api/agents')).status).toBe(401);
    expect((await anonymous('GET', '/api/no-such-route')).status).toBe(401);
    expect((await h.api('GET', '/api/agents')).status).toBe(200);
    expect((await h.api('GET', '/api/no-such-route')).status).toBe(404);
    expect((await anonymous('POST', '/mcp')).status).toBe(401);
    expect((await anonymous('POST', '/a2a')).status).toBe(401);
    expect((await anonymous('GET', '/.well-known/agent-card.json')).status).toBe(200);
    const console = await anonymous('GET', '/agents');
    expect(console.status).toBe(200);
    expect(console.headers.get('content-type')).toContain('text/html');
  });

  it('refuses, while the app is assembled, a table with a route that declares no resource kind', () => {
    const undeclared = (): Hono<AppEnv> => {
      const router = new Hono<AppEnv>();
      defineRoute(
        router,
        {
          method: 'get',
          path: '/things',
          summary: 'Things',
          tags: ['things'],
          resource: undefined as never,
          responses: { 200: { description: 'ok' } },
        },
        (c) => c.json({}),
      );
      return router;
    };
    expect(() => createApp(deps, [{ prefix: '/api', access: 'api-key', features: [undeclared] }])).toThrow(
      /GET \/things declares no resource kind/,
    );
  });
});
