import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../scripts/gen-client.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import {
  AgentOsApiError,
  type AgentOsClient,
  call,
  createAgentOsClient,
} from '../../src/surfaces/client/agent-os-client.ts';
import { contractChecker, type OpenApiDocument } from '../support/contract-checker.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

describe.each(storeTargets())('the typed client against the real server on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let client: AgentOsClient;
  let document: OpenApiDocument;
  let contract: ReturnType<typeof contractChecker>;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
    });
    document = (await (await fetch(`${h.url}/api/openapi.json`)).json()) as OpenApiDocument;
    contract = contractChecker(document);
    client = createAgentOsClient({ baseUrl: h.url, apiKey: h.key });
    // onResponse runs last-registered first: this sees every answer before the client turns errors into throws.
    client.use(contract.middleware);
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('is generated from the served document (run `npm run gen:client` after changing a route)', async () => {
    const committed = readFileSync(CLIENT_TYPES_PATH, 'utf8');
    expect(await renderClientTypes(document)).toBe(committed);
  });

  it('creates an agent, starts and lists runs, with answers that match the document', async () => {
    const { agent } = await call(
      client.POST('/api/agents', {
        body: { name: 'typed', description: 'Typed client agent', model: 'scripted:test-model' },
      }),
    );
    expect(agent).toMatchObject({ name: 'typed', version: 1 });

    model.enqueue({ text: 'Typed hello.' });
    const { run } = await call(
      client.POST('/api/runs', { body: { agent: 'typed', task: 'Say hello', wait: true } }),
    );
    expect(run).toMatchObject({ status: 'succeeded', output: { text: 'Typed hello.' } });

    const { runs } = await call(
      client.GET('/api/runs', { params: { query: { agent: agent.id, limit: 10 } } }),
    );
    expect(runs.map((r) => r.id)).toContain(run.id);
    const fetched = await call(client.GET('/api/runs/{id}', { params: { path: { id: run.id } } }));
    expect(fetched.run.agentId).toBe(agent.id);
    const { agents } = await call(client.GET('/api/agents'));
    expect(agents.map((a) => a.name)).toContain('typed');

    const created = await call(client.POST('/api/keys', { body: { name: 'ci', scope: 'read' } }));
    expect(created.secret).toMatch(/^aos_/);
    const { keys } = await call(client.GET('/api/keys'));
    expect(keys.find((key) => key.id === created.key.id)?.scope).toBe('read');
    await call(client.DELETE('/api/keys/{id}', { params: { path: { id: created.key.id } } }));

    expect(contract.violations).toEqual([]);
    expect(contract.checked).toEqual(
      expect.arrayContaining([
        'post /api/agents 201',
        'post /api/runs 200',
        'get /api/runs 200',
        'get /api/runs/{id} 200',
        'post /api/keys 201',
        'delete /api/keys/{id} 200',
      ]),
    );
  });

  it('adds, schedules, syncs and deletes a knowledge source, with answers that match the document', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentos-client-source-'));
    writeFileSync(join(folder, 'faq.md'), '# FAQ\nThe cafeteria opens at eight.');
    const created = await call(
      client.POST('/api/sources', {
        body: {
          name: 'faq',
          kind: 'folder',
          config: { path: folder },
          schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
        },
      }),
    );
    expect(created.source.schedule).toEqual({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' });
    expect(created.source.nextSyncAt).not.toBeNull();
    await call(
      client.PATCH('/api/sources/{source}', {
        params: { path: { source: 'faq' } },
        body: { scheduleMinutes: 60 },
      }),
    );
    await call(client.POST('/api/sources/{source}/sync', { params: { path: { source: 'faq' } }, body: {} }));
    const { sources } = await call(client.GET('/api/sources'));
    expect(sources.map((s) => [s.name, s.status, s.scheduleMinutes, s.schedule])).toEqual([
      ['faq', 'ok', 60, null],
    ]);
    await call(client.DELETE('/api/sources/{source}', { params: { path: { source: 'faq' } } }));
    rmSync(folder, { recursive: true, force: true });

    expect(contract.violations).toEqual([]);
    expect(contract.checked).toEqual(
      expect.arrayContaining([
        'post /api/sources 201',
        'patch /api/sources/{source} 200',
        'post /api/sources/{source}/sync 200',
        'get /api/sources 200',
        'delete /api/sources/{source} 200',
      ]),
    );
  });

  it('maps errors to AgentOsApiError with the stable code', async () => {
    const missing = await client
      .GET('/api/agents/{idOrName}', { params: { path: { idOrName: 'nobody' }, query: {} } })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(AgentOsApiError);
    expect(missing).toMatchObject({ status: 404, code: 'resource.not_found' });

    const invalid = await client
      .POST('/api/agents', { body: { name: 'Not A Name', description: 'x', model: 'scripted:test-model' } })
      .catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'request.invalid' });
    expect((invalid as AgentOsApiError).details?.issues).toBeDefined();

    const anonymous = createAgentOsClient({ baseUrl: h.url, apiKey: 'aos_wrong' });
    await expect(call(anonymous.GET('/api/runs'))).rejects.toMatchObject({
      status: 401,
      code: 'auth.invalid',
    });
    expect(contract.violations).toEqual([]);
  });
});
