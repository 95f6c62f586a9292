import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PromptRecord } from '../../src/core/kernel/prompt-record.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface StepView {
  turn: number;
  callIndex: number;
  kind: string;
  name: string | null;
  status: string;
  input: unknown;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

const MODEL_DELAY_MS = 250;
const TOOL_MS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const tools = new ToolRegistry([
  defineTool({
    name: 'lookup',
    description: 'Looks something up (safe to repeat)',
    inputSchema: z.object({ q: z.string() }),
    idempotent: true,
    stakes: 'low',
    effect: 'read',
    execute: async ({ q }) => {
      await sleep(TOOL_MS);
      return { found: q };
    },
  }),
  defineTool({
    name: 'note_down',
    description: 'Writes a note (must not run twice)',
    inputSchema: z.object({ text: z.string() }),
    idempotent: false,
    stakes: 'low',
    execute: async ({ text }) => {
      await sleep(TOOL_MS);
      return { noted: text };
    },
  }),
]);

const ms = (iso: string | null) => (iso === null ? Number.NaN : new Date(iso).getTime());

describe.each(storeTargets())('run step timings and model input on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({ name: 'timer', instructions: 'Be quick.', tools: ['lookup', 'note_down'] });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('records when each step began and ended, and the prompt each model turn sent', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        delayMs: MODEL_DELAY_MS,
        toolCalls: [
          { name: 'lookup', arguments: { q: 'pi' } },
          { name: 'note_down', arguments: { text: 'pi is 3.14' } },
        ],
      },
      { text: 'Pi is about 3.14.', delayMs: MODEL_DELAY_MS },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'timer',
      task: 'What is pi?',
      wait: true,
    });
    expect(body.run.status).toBe('succeeded');
    const { status, body: journal } = await h.api<{ steps: StepView[] }>(
      'GET',
      `/api/runs/${body.run.id}/steps`,
    );
    expect(status).toBe(200);
    const byKey = new Map(journal.steps.map((s) => [`${s.kind}:${s.turn}:${s.callIndex}`, s]));
    const first = byKey.get('model:0:-1');
    const lookup = byKey.get('tool:0:0');
    const note = byKey.get('tool:0:1');
    const second = byKey.get('model:1:-1');
    if (!first || !lookup || !note || !second) throw new Error(`missing steps: ${[...byKey.keys()]}`);

    for (const step of journal.steps) {
      expect(step.durationMs).toBe(ms(step.finishedAt) - ms(step.startedAt));
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    // The model answered after its delay: the step spans the call, not the instant it was written.
    expect(first.durationMs).toBeGreaterThanOrEqual(MODEL_DELAY_MS);
    expect(second.durationMs).toBeGreaterThanOrEqual(MODEL_DELAY_MS);
    // An idempotent call (no write-ahead row) and a written-ahead one both span the tool's run.
    expect(lookup.durationMs).toBeGreaterThanOrEqual(TOOL_MS);
    expect(note.durationMs).toBeGreaterThanOrEqual(TOOL_MS);
    // The order in time matches the loop: the calls start after the first reply, the second turn after both.
    expect(ms(lookup.startedAt)).toBeGreaterThanOrEqual(ms(first.finishedAt));
    expect(ms(second.startedAt)).toBeGreaterThanOrEqual(Math.max(ms(lookup.finishedAt), ms(note.finishedAt)));

    // The first turn keeps its whole prompt; the second only what it added (the reply and the two results).
    const firstInput = first.input as PromptRecord;
    expect(firstInput).toMatchObject({
      model: 'scripted:test-model',
      tools: ['lookup', 'note_down'],
      from: 0,
    });
    expect(firstInput.messages).toHaveLength(firstInput.messageCount);
    expect(firstInput.messages.some((m) => m.role === 'system' && m.content.includes('Be quick.'))).toBe(
      true,
    );
    expect(firstInput.messages.at(-1)).toEqual({ role: 'user', content: 'What is pi?' });
    const secondInput = second.input as PromptRecord;
    expect(secondInput.from).toBe(firstInput.messageCount);
    expect(secondInput.messageCount).toBe(firstInput.messageCount + 3);
    expect(secondInput.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'tool']);
    expect(secondInput.messages[2]).toMatchObject({
      role: 'tool',
      call: { name: 'note_down' },
      result: { output: { noted: 'pi is 3.14' } },
    });
    // What the model was actually sent is what the record says.
    const sent = model.requests.at(-1)?.body.messages ?? [];
    expect(sent).toHaveLength(secondInput.messageCount);
  });
});
