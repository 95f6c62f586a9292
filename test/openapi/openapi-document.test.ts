import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { openApiPath } from '../../src/surfaces/openapi/openapi-document.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; operationId: string }>>;
  components: { securitySchemes: Record<string, unknown> };
};

describe.each(storeTargets())('the OpenAPI document on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let document: Document;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    const response = await fetch(`${h.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    document = (await response.json()) as Document;
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('is served without an API key and is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'bearerApiKey',
      'consoleSession',
    ]);
  });

  it('documents every route the app registers under /api', () => {
    const registered = (h.agentOs.app?.routes ?? [])
      .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'))
      .map((route) => `${route.method} ${route.path}`);
    expect(registered.length).toBeGreaterThan(40);
    const missing = [...new Set(registered)].filter((entry) => {
      const [method = '', path = ''] = entry.split(' ');
      // No exemptions: even the SSE stream (/runs/:id/events) is documented, as text/event-stream.
      return document.paths[openApiPath(path)]?.[method.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it('gives every operation a unique id and marks only health, the document and sign-in public', () => {
    // Store health adds only migration numbers to what /api/health says (the version implies them).
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const publicOperations = operations
      .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
      .map(({ method, path }) => `${method} ${path}`)
      .sort();
    expect(publicOperations).toEqual([
      'get /api/health',
      'get /api/health/store',
      'get /api/openapi.json',
      'post /api/sessions',
    ]);
  });

  it('carries the route declarations: actions, schemas, the event stream', () => {
    const raw = document as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    expect(raw.paths['/api/agents']?.get?.['x-agent-os-action']).toBe('agents.read');
    expect(raw.paths['/api/runs']?.post?.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { required: ['task'] } } },
    });
    expect(raw.paths['/api/runs/{id}/events']?.get?.responses).toMatchObject({
      200: { content: { 'text/event-stream': {} } },
    });
    expect(raw.components.schemas.Run?.required).toEqual(expect.arrayContaining(['id', 'status', 'usage']));
    expect(raw.components.schemas.Error).toBeDefined();
  });

  it('rejects invalid input with the declared error shape', async () => {
    const { status, body } = await h.api<{ error: { code: string } }>('GET', '/api/runs?limit=0');
    expect(status).toBe(400);
    expect(body.error.code).toBe('request.invalid');
    const unknownQuery = await h.api<{ error: { code: string } }>('GET', '/api/agents?bogus=1');
    expect(unknownQuery.status).toBe(400);
  });
});
