import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type AgentOsClient, call, createAgentOsClient } from '../../src/surfaces/client/agent-os-client.ts';
import { BANK_SERVER, TSX_LOADER } from '../mcp/mcp-harness.ts';
import { contractChecker, type OpenApiDocument } from '../support/contract-checker.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/**
 * The answers the CLI reads, through the typed client it uses, checked against the response schemas of
 * the document: the CLI's types are those schemas, so a schema that drifts from the real answer is a bug.
 */
describe.each(storeTargets())('the routes the CLI calls answer as documented on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let client: AgentOsClient<'application/json'>;
  let contract: ReturnType<typeof contractChecker>;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
    });
    const document = (await (await fetch(`${h.url}/api/openapi.json`)).json()) as OpenApiDocument;
    contract = contractChecker(document);
    client = createAgentOsClient<'application/json'>({ baseUrl: h.url, apiKey: h.key });
    client.use(contract.middleware);
    await h.createAgent({ name: 'greeter' });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('spaces and groups', async () => {
    const { userId } = await call(client.GET('/api/whoami'));
    const space = { path: { space: 'finance' } };
    const group = { path: { group: 'finance-team' } };
    await call(client.POST('/api/spaces', { body: { name: 'finance', visibility: 'restricted' } }));
    const added = await call(client.POST('/api/spaces/{space}/members', { params: space, body: { userId } }));
    expect(added.members).toEqual([userId]);
    await call(client.GET('/api/spaces/{space}/members', { params: space }));
    await call(
      client.DELETE('/api/spaces/{space}/members/{userId}', {
        params: { path: { space: 'finance', userId } },
      }),
    );
    await call(client.POST('/api/groups', { body: { name: 'finance-team' } }));
    await call(client.POST('/api/groups/{group}/members', { params: group, body: { userId } }));
    const joined = await call(
      client.POST('/api/spaces/{space}/groups', { params: space, body: { group: 'finance-team' } }),
    );
    expect(joined.group.members).toEqual([userId]);
    await call(
      client.DELETE('/api/groups/{group}/members/{userId}', {
        params: { path: { group: 'finance-team', userId } },
      }),
    );
    expect((await call(client.GET('/api/spaces'))).spaces.map((s) => s.name)).toEqual(['finance']);
    expect((await call(client.GET('/api/groups'))).groups.map((g) => g.name)).toEqual(['finance-team']);
    expect(contract.violations).toEqual([]);
  });

  it('memories and pinned blocks', async () => {
    const body = { kind: 'fact' as const, content: 'The cafeteria opens at eight.', subjects: ['cafeteria'] };
    const created = await call(client.POST('/api/memories', { body }));
    expect(created.merged).toBe(false);
    const again = await call(client.POST('/api/memories', { body }));
    expect(again).toMatchObject({ merged: true, memory: { id: created.memory.id } });
    const id = { path: { id: created.memory.id } };
    const found = await call(client.GET('/api/memories', { params: { query: { q: 'cafeteria' } } }));
    expect(found.memories[0]?.score).toEqual(expect.any(Number));
    await call(client.GET('/api/memories', { params: { query: { kind: 'fact', limit: 5 } } }));
    await call(client.PATCH('/api/memories/{id}', { params: id, body: { importance: 0.9 } }));
    const shown = await call(client.GET('/api/memories/{id}', { params: id }));
    expect(shown.changes.map((change) => change.action)).toEqual(['create', 'merge', 'update']);
    await call(client.DELETE('/api/memories/{id}', { params: id }));

    const block = { scope: 'user' as const, label: 'style', content: 'Short answers.' };
    const pinned = await call(client.PUT('/api/memory-blocks', { body: block }));
    expect((await call(client.PUT('/api/memory-blocks', { body: block }))).changed).toBe(false);
    expect((await call(client.GET('/api/memory-blocks'))).blocks.map((b) => b.label)).toEqual(['style']);
    await call(client.DELETE('/api/memory-blocks/{id}', { params: { path: { id: pinned.block.id } } }));
    expect(contract.violations).toEqual([]);
  });

  it('knowledge documents and cited search', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentos-contract-source-'));
    writeFileSync(join(folder, 'faq.md'), '# FAQ\nThe cafeteria opens at eight.');
    const source = { path: { source: 'faq' } };
    await call(
      client.POST('/api/sources', { body: { name: 'faq', kind: 'folder', config: { path: folder } } }),
    );
    await call(client.POST('/api/sources/{source}/sync', { params: source, body: { wait: true } }));
    const { documents } = await call(client.GET('/api/sources/{source}/documents', { params: source }));
    expect(documents.map((d) => [d.ref, d.status])).toEqual([['faq.md', 'ok']]);
    const { results } = await call(
      client.GET('/api/knowledge/search', { params: { query: { q: 'cafeteria', limit: 3 } } }),
    );
    expect(results[0]?.citationId).toMatch(/^K\d+$/);
    await call(client.DELETE('/api/sources/{source}', { params: source }));
    rmSync(folder, { recursive: true, force: true });
    expect(contract.violations).toEqual([]);
  });

  it('skills imported from a file and exported as JSON', async () => {
    const file = '---\nname: triage\ndescription: Sort requests\n---\nSort by urgency.\n';
    await call(client.POST('/api/skills/import', { body: { file } }));
    const exported = await call(
      client.GET('/api/skills/{name}/export', {
        params: { path: { name: 'triage' }, query: {} },
        headers: { accept: 'application/json' },
      }),
    );
    expect(exported.fileName).toBe('triage.SKILL.md');
    expect(exported.content).toContain('Sort by urgency.');
    expect(contract.violations).toEqual([]);
  });

  it("a run's steps, the scheduler, plans and evals", async () => {
    model.enqueue({ text: 'Hello.' });
    const { run } = await call(
      client.POST('/api/runs', { body: { agent: 'greeter', task: 'Hi', wait: true } }),
    );
    const { steps } = await call(client.GET('/api/runs/{id}/steps', { params: { path: { id: run.id } } }));
    expect(steps.map((step) => [step.kind, step.status])).toContainEqual(['model', 'completed']);
    await call(client.GET('/api/scheduler'));

    const plan = { name: 'p', nodes: [{ id: 'greet', kind: 'agent', agent: 'greeter', task: 'Hi' }] };
    const submitted = await call(client.POST('/api/plans', { body: plan }));
    const id = { path: { id: submitted.plan.id } };
    await call(client.GET('/api/plans/{id}', { params: id }));
    const cancelled = await call(client.POST('/api/plans/{id}/cancel', { params: id }));
    expect(cancelled.plan.status).toBe('cancelled');
    expect((await call(client.GET('/api/plans'))).plans.map((p) => p.id)).toContain(submitted.plan.id);

    const suite = {
      name: 'greets',
      agent: 'greeter',
      cases: [{ id: 'hello', input: 'Say hello', criteria: [{ kind: 'contains', values: ['hello'] }] }],
    };
    await call(client.POST('/api/evals/suites', { body: suite }));
    await call(client.GET('/api/evals/suites'));
    model.enqueue({ text: 'hello there' });
    const ran = await call(
      client.POST('/api/evals/suites/{name}/runs', {
        params: { path: { name: 'greets' } },
        body: { wait: true },
      }),
    );
    expect(ran.evalRun.status).toBe('completed');
    const evalRunId = ran.evalRun.id;
    await call(client.GET('/api/evals/runs/{id}', { params: { path: { id: evalRunId } } }));
    await call(client.GET('/api/evals/runs', { params: { query: { suite: 'greets' } } }));
    const { report } = await call(
      client.GET('/api/evals/compare', { params: { query: { before: evalRunId, after: evalRunId } } }),
    );
    expect(report.regressed).toBe(false);
    await call(client.GET('/api/evals/escalations', { params: { query: { status: 'open' } } }));
    expect(contract.violations).toEqual([]);
  });

  it('MCP servers and their tool labels', async () => {
    const body = {
      name: 'bank',
      transport: 'stdio' as const,
      command: process.execPath,
      args: ['--import', TSX_LOADER, BANK_SERVER],
      env: { BANK_TOKEN: 'secret' },
    };
    const { server } = await call(client.POST('/api/mcp/servers', { body }));
    expect(server.secretNames.env).toEqual(['BANK_TOKEN']);
    const id = { path: { id: 'bank' } };
    const { tools } = await call(client.GET('/api/mcp/servers/{id}/tools', { params: id }));
    expect(tools.map((t) => t.name).sort()).toEqual(['get_balance', 'send_money']);
    const labelled = await call(
      client.PATCH('/api/mcp/servers/{id}/tools/{tool}', {
        params: { path: { id: 'bank', tool: 'send_money' } },
        body: { trustedOutput: false, argumentRoles: { recipient: 'recipient' }, stakes: 'high' },
      }),
    );
    expect(labelled.server.toolOverrides.send_money?.argumentRoles).toEqual({ recipient: 'recipient' });
    const listed = await call(client.GET('/api/mcp/servers'));
    expect(listed.servers[0]?.connection.state).toBe('connected');
    await call(client.DELETE('/api/mcp/servers/{id}', { params: id }));
    expect(contract.violations).toEqual([]);
  });
});
