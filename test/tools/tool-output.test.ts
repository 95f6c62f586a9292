import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Artefact } from '../../src/core/tools/artefacts.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import type { ArtefactHandle } from '../../src/core/tools/tool-output.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { unspotlight } from '../support/spotlight.ts';
import { storeTargets } from '../support/test-stores.ts';

const rows = Array.from({ length: 800 }, (_, i) => ({ id: i, text: `row number ${i} of the report` }));

const tools = new ToolRegistry([
  defineTool({
    name: 'report',
    description: 'A large report',
    inputSchema: z.object({}),
    idempotent: true,
    stakes: 'low',
    effect: 'read',
    execute: async () => ({ rows }),
  }),
  defineTool({
    name: 'small',
    description: 'A small answer',
    inputSchema: z.object({}),
    idempotent: true,
    execute: async () => ({ ok: true }),
  }),
  defineTool({
    name: 'shaped',
    description: 'Promises a number, returns a string',
    inputSchema: z.object({}),
    outputSchema: z.object({ n: z.number() }),
    idempotent: true,
    execute: async () => ({ n: 'not a number' }),
  }),
]);

describe.each(storeTargets())('tool output limits on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({ name: 'reader', tools: ['report', 'small', 'shaped'] });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('stores output over 16 KB as an artefact and gives the model a summary and a handle', async () => {
    model.requests.length = 0;
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'report', arguments: {} },
          { name: 'small', arguments: {} },
          { name: 'shaped', arguments: {} },
        ],
      },
      { text: 'summarised' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'reader',
      task: 'Read the report',
      wait: true,
    });
    expect(body.run.status).toBe('succeeded');
    const [report, small, shaped] = (model.requests[1]?.body.messages ?? [])
      .filter((m) => m.role === 'tool')
      .map((m) => unspotlight(String(m.content)));
    const handle = JSON.parse(report ?? '{}') as ArtefactHandle;
    const fullJson = JSON.stringify({ rows });
    expect(handle.bytes).toBe(Buffer.byteLength(fullJson));
    expect(handle.summary).toBe(fullJson.slice(0, 1024));
    expect(handle.artefactId).toMatch(/^art_/);
    expect(small).toBe('{"ok":true}');
    expect(shaped).toMatch(/does not match its output schema: n: /);

    const artefact = await h.api<{ artefact: Artefact }>('GET', `/api/artefacts/${handle.artefactId}`);
    expect(artefact.status).toBe(200);
    expect(artefact.body.artefact).toMatchObject({ runId: body.run.id, tool: 'report', content: { rows } });
    expect((await h.api('GET', '/api/artefacts/art_missing')).status).toBe(404);
  });
});
