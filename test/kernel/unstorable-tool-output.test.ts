import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JournalStep } from '../../src/core/kernel/run-journal.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { findUnstorableText, isStorableText } from '../../src/core/store/storable-text.ts';
import { httpFetchTool } from '../../src/core/tools/builtin/http-fetch.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

const NUL = '\u0000';
const LONE_HIGH = '\uD800';
const LONE_LOW = '\uDC00';

/** A page as a hostile or broken site serves it: NUL bytes in the text. */
async function startNulSite(): Promise<{ url: string; host: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`before${NUL}after${NUL}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/page`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let stallStarted: () => void = () => {};
let stallOnce = true;

function toolsFor(host: string): ToolRegistry {
  return new ToolRegistry([
    httpFetchTool({ allowHosts: { '*': [host] } }),
    defineTool({
      name: 'odd_json',
      description: 'Returns JSON as an MCP server might: lone surrogates and NULs in keys and values',
      inputSchema: z.object({}),
      idempotent: true,
      effect: 'read',
      execute: async () => ({ [`key${LONE_HIGH}`]: `value${LONE_LOW}`, nested: [`a${NUL}b`, '😀'] }),
    }),
    defineTool({
      name: 'stall',
      description: 'Waits until its run is stopped, the first time only',
      inputSchema: z.object({}),
      idempotent: true,
      effect: 'read',
      trustedOutput: true,
      execute: async (_input, context) => {
        if (!stallOnce) return { waited: false };
        stallOnce = false;
        stallStarted();
        await new Promise((_resolve, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }),
        );
        return { waited: true };
      },
    }),
  ]);
}

const lastToolNames = (request: RecordedRequest): string[] => {
  const messages = request.body.messages;
  const calls = messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []));
  return calls.map((call) => call.function.name);
};

/** Turn 0: fetch the page and the odd JSON; turn 1: stall; turn 2: an answer that is itself unstorable. */
function script(request: RecordedRequest): ScriptedReply {
  const called = lastToolNames(request);
  if (called.includes('stall')) return { text: `done${NUL} with ${LONE_HIGH}` };
  if (called.includes('http_fetch'))
    return { kind: 'tool_calls', toolCalls: [{ name: 'stall', arguments: {} }] };
  return {
    kind: 'tool_calls',
    toolCalls: [
      { name: 'http_fetch', arguments: { url: pageUrl } },
      { name: 'odd_json', arguments: {} },
    ],
  };
}
let pageUrl = '';

describe.each(storeTargets())('tool and model output holding NULs and lone surrogates on $kind', (target) => {
  let model: ScriptedModelServer;
  let site: Awaited<ReturnType<typeof startNulSite>>;
  let h: KernelHarness;
  let worker: Worker | undefined;

  beforeAll(async () => {
    site = await startNulSite();
    pageUrl = site.url;
    model = await startScriptedModelServer();
    model.setHandler(script);
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: toolsFor(site.host),
      roles: ['api'],
    });
    await h.createAgent({
      name: 'reader',
      instructions: 'You read pages.',
      tools: ['http_fetch', 'odd_json', 'stall'],
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await h.agentOs.stop();
    await model.close();
    await site.close();
  });

  it('succeeds, journals cleaned text, and replays it after a restart without diverging', async () => {
    stallOnce = true;
    model.requests.length = 0;
    const started = new Promise<void>((resolve) => {
      stallStarted = resolve;
    });
    const run = await h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'reader',
      task: 'Read the page',
      priority: 'standard',
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 2_000, pollMs: 20 });
    await started;
    // The process stops mid-run: the next worker replays turns 0 and 1 from the journal.
    await worker.stop();
    worker = h.agentOs.kernel.startWorker({ leaseMs: 2_000, pollMs: 20 });
    const settled = await h.agentOs.kernel.runs.wait(h.workspaceId, run.id, {
      timeoutMs: 20_000,
      pollMs: 20,
    });
    expect(settled.error).toBeNull();
    expect(settled.status).toBe('succeeded');
    expect(settled.attempt).toBe(2);
    // The answer came after the tool's (untrusted) output: the run record says so.
    expect(settled.output).toEqual({ text: 'done\uFFFD with \uFFFD', tainted: true });

    // Turn 1 was replayed (its inputs hashed as recorded), not asked again.
    const asked = model.requests.map((request) => lastToolNames(request).join(','));
    expect(asked).toEqual(['', 'http_fetch,odd_json', 'http_fetch,odd_json,stall']);
    // What the model read is what the journal holds: U+FFFD where the NULs and lone surrogates were.
    const fed = model.requests[2]!.body.messages.filter((m) => m.role === 'tool').map((m) =>
      String(m.content),
    );
    expect(fed.some((content) => content.includes('before\uFFFDafter\uFFFD'))).toBe(true);
    expect(fed.some((content) => content.includes('key\uFFFD') && content.includes('value\uFFFD'))).toBe(
      true,
    );
    expect(fed.every((content) => isStorableText(content))).toBe(true);

    const { steps } = (await h.api<{ steps: JournalStep[] }>('GET', `/api/runs/${run.id}/steps`)).body;
    expect(steps.filter((step) => step.kind === 'tool').every((step) => step.status === 'completed')).toBe(
      true,
    );
    expect(findUnstorableText(steps, 'steps')).toBeUndefined();
    const fetched = steps.find((step) => step.name === 'http_fetch');
    expect(fetched?.result).toMatchObject({ output: { body: 'before\uFFFDafter\uFFFD' } });
    const events = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM run_events WHERE run_id = $1',
      [run.id],
    );
    expect(events.rows[0]?.n).toBeGreaterThan(0);
    const final = (await h.api<{ run: RunRecord }>('GET', `/api/runs/${run.id}`)).body.run;
    expect(final.status).toBe('succeeded');
  });
});
