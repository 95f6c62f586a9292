import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { runCodeTool } from '../../src/plugins/compute/run-code-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** A read whose output is past the 16 KB budget, so the kernel keeps it as an artefact of the run. */
const salesTool = defineTool({
  name: 'list_sales',
  description: 'Every sale this year',
  inputSchema: z.strictObject({}),
  idempotent: true,
  effect: 'read',
  stakes: 'low',
  execute: async () => ({
    sales: Array.from({ length: 600 }, (_, i) => ({
      id: i,
      city: ['Lisbon', 'Porto', 'Faro'][i % 3],
      total: i % 7,
    })),
  }),
});

const toolResults = (model: ScriptedModelServer) =>
  model.requests
    .at(-1)!
    .body.messages.filter((m) => m.role === 'tool')
    .map((m) => String(m.content));

describe.each(storeTargets())('run_code on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const run = async (task: string) =>
    (
      await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'analyst',
        task,
        wait: true,
        waitTimeoutMs: 30_000,
      })
    ).body.run;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([
        runCodeTool(store, { cpuMs: 2_000, memoryBytes: 32 * 1024 * 1024 }),
        salesTool,
      ]),
    });
    await h.createAgent({ name: 'analyst', instructions: 'You compute.', tools: ['run_code', 'list_sales'] });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('computes over a large result of the run and keeps its chart as an SVG artefact', async () => {
    model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'list_sales', arguments: {} }] });
    model.setHandler((request) => {
      // The artefact id is in the summary the model got for the large result.
      const seen = request.body.messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
      const artefact = /(art_[0-9a-f]{32})/.exec(seen[0] ?? '')?.[1];
      if (seen.length === 1 && artefact !== undefined)
        return {
          kind: 'tool_calls',
          toolCalls: [
            {
              name: 'run_code',
              arguments: {
                artefacts: [artefact],
                code: `const by = {};
for (const s of artefacts['${artefact}'].sales) by[s.city] = (by[s.city] ?? 0) + s.total;
const cities = Object.keys(by).sort();
chart.bar('Sales by city', { title: 'Sales by city', labels: cities, values: cities.map((c) => by[c]) });
by`,
              },
            },
          ],
        };
      return { text: 'Lisbon leads.' };
    });
    const done = await run('Chart this year’s sales by city');
    model.setHandler(undefined);
    expect(done).toMatchObject({ status: 'succeeded', output: { text: 'Lisbon leads.', tainted: true } });
    const result = JSON.parse(/\{[\s\S]*\}/.exec(toolResults(model)[1]!)![0]) as {
      value: Record<string, number>;
      charts: Array<{ name: string; artefactId: string; mediaType: string }>;
    };
    // 600 sales, totals i % 7, cities i % 3: the sums as computed outside the sandbox.
    const expected: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      const city = ['Lisbon', 'Porto', 'Faro'][i % 3]!;
      expected[city] = (expected[city] ?? 0) + (i % 7);
    }
    expect(result.value).toEqual(expected);
    expect(result.charts).toEqual([
      {
        name: 'Sales by city',
        artefactId: expect.stringMatching(/^art_/),
        mediaType: 'image/svg+xml',
        bytes: expect.any(Number),
      },
    ]);
    const chart = await h.api<{
      artefact: { runId: string; tool: string; content: { kind: string; svg: string } };
    }>('GET', `/api/artefacts/${result.charts[0]!.artefactId}`);
    expect(chart.body.artefact).toMatchObject({
      runId: done.id,
      tool: 'run_code',
      content: { kind: 'chart' },
    });
    expect(chart.body.artefact.content.svg).toMatch(/^<svg [\s\S]*Sales by city[\s\S]*<\/svg>$/);
  });

  it('gives the model a clear error for code that loops forever, and the run goes on', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'run_code', arguments: { code: 'for (;;) {}' } }] },
      { text: 'That took too long.' },
    );
    const done = await run('Loop');
    expect(done.status).toBe('succeeded');
    expect(toolResults(model)[0]).toContain('The code ran past its 2000 ms CPU limit and was stopped');
  });

  it("refuses another run's artefact", async () => {
    const { rows } = await h.agentOs.store.query<{ id: string }>('SELECT id FROM artefacts LIMIT 1');
    const foreign = rows[0]!.id;
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'run_code', arguments: { code: '1', artefacts: [foreign] } }],
      },
      { text: 'I cannot read it.' },
    );
    expect((await run('Read another run')).status).toBe('succeeded');
    expect(toolResults(model)[0]).toContain(`No artefact "${foreign}" in this run`);
  });
});
