import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JournalStep } from '../../src/core/kernel/run-journal.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, readSse, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

const executions: Array<{ a: number; b: number; key: string }> = [];
const tools = new ToolRegistry([
  defineTool({
    name: 'add',
    description: 'Adds two numbers',
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    idempotent: true,
    // Computed here, not content from outside: it does not taint the run (see test/policy for taint).
    trustedOutput: true,
    execute: async ({ a, b }, context) => {
      executions.push({ a, b, key: context.idempotencyKey });
      return { sum: a + b };
    },
  }),
]);

describe.each(storeTargets())('the reason–act loop on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const runTask = async (agent: string, task: string) =>
    (await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent, task, wait: true, waitTimeoutMs: 20_000 }))
      .body.run;
  const waitForIdle = () =>
    eventually(
      async () => {
        const { runs } = (await h.api<{ runs: RunRecord[] }>('GET', '/api/runs?limit=500')).body;
        expect(runs.filter((r) => ['queued', 'running'].includes(r.status))).toEqual([]);
      },
      { timeoutMs: 5_000 },
    );
  const steps = async (runId: string) =>
    (await h.api<{ steps: JournalStep[] }>('GET', `/api/runs/${runId}/steps`)).body.steps;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({
      name: 'adder',
      instructions: 'You add numbers.',
      tools: ['add'],
      limits: { maxSteps: 3, maxInvalidToolCalls: 1 },
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(() => {
    executions.length = 0;
    model.requests.length = 0;
  });

  it('answers a task with text through the OpenAI-compatible provider', async () => {
    model.enqueue({ text: 'Hello there, friend' });
    const run = await runTask('adder', 'Say hello');
    expect(run).toMatchObject({ status: 'succeeded', output: { text: 'Hello there, friend' } });
    expect(run.usage.modelCalls).toBe(1);
    expect(run.usage.inputTokens).toBeGreaterThan(0);
    const body = model.requests[0]?.body;
    expect(body?.stream).toBe(true);
    expect(body?.messages[0]).toMatchObject({ role: 'system', content: 'You add numbers.' });
    expect(body?.tools?.[0]).toMatchObject({ type: 'function', function: { name: 'add' } });
  });

  it('runs parallel tool calls, journals each step and feeds results back', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'add', arguments: { a: 2, b: 3 } },
          { name: 'add', arguments: { a: 4, b: 5 } },
        ],
      },
      { text: 'The sums are 5 and 9' },
    );
    const run = await runTask('adder', 'Add 2+3 and 4+5');
    expect(run.status).toBe('succeeded');
    expect(executions.map((e) => e.a + e.b).sort()).toEqual([5, 9]);
    expect(executions.map((e) => e.key).sort()).toEqual([`${run.id}:0:0`, `${run.id}:0:1`]);
    const journal = await steps(run.id);
    expect(journal.map((s) => [s.turn, s.callIndex, s.kind, s.status])).toEqual([
      [0, -1, 'model', 'completed'],
      [0, 0, 'tool', 'completed'],
      [0, 1, 'tool', 'completed'],
      [1, -1, 'model', 'completed'],
    ]);
    const second = model.requests[1]?.body.messages ?? [];
    const toolMessages = second.filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
    expect(toolMessages.map((m) => m.content)).toEqual(['{"sum":5}', '{"sum":9}']);
  });

  it('returns malformed and schema-violating arguments to the model as an error result', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: '{"a": 1, "b": ' }] },
      { text: 'Sorry, fixed' },
    );
    const run = await runTask('adder', 'Add badly');
    expect(run.status).toBe('succeeded');
    expect(executions).toHaveLength(0);
    const toolMessage = model.requests[1]?.body.messages.find((m) => m.role === 'tool');
    expect(JSON.stringify(toolMessage)).toMatch(/not valid JSON/);
  });

  it('fails the run once invalid tool calls pass the bound', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 'one' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'subtract', arguments: { a: 1 } }] },
    );
    const run = await runTask('adder', 'Keep failing');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('tool.invalid_arguments');
    expect(JSON.stringify(model.requests[1]?.body.messages)).toMatch(/do not match its schema/);
  });

  it('ends with budget_exceeded at the step limit instead of looping', async () => {
    model.setHandler(() => ({ kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }));
    const run = await runTask('adder', 'Loop forever');
    model.setHandler(undefined);
    expect(run.status).toBe('budget_exceeded');
    expect(run.error?.message).toMatch(/3 model steps/);
    expect(model.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    model.enqueue({ kind: 'error', status: 429, retryAfterMs: 300 }, { text: 'after waiting' });
    const started = Date.now();
    const run = await runTask('adder', 'Be patient');
    expect(run).toMatchObject({ status: 'succeeded', output: { text: 'after waiting' } });
    expect(model.requests[1]!.receivedAt - model.requests[0]!.receivedAt).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('fails clearly when provider retries are exhausted', async () => {
    model.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 500 }, { kind: 'disconnect' });
    const run = await runTask('adder', 'Doomed');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      code: 'model.provider_error',
      message: expect.stringMatching(/after 3 attempts/),
    });
    expect(model.requests).toHaveLength(3);
    const fetched = await h.api<{ run: RunRecord }>('GET', `/api/runs/${run.id}`);
    expect(fetched.body.run.error?.code).toBe('model.provider_error');
  });

  it('cancels a run that is waiting on the model', async () => {
    model.enqueue({ kind: 'hang' });
    const started = await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'adder', task: 'Hang' });
    expect(started.status).toBe(202);
    const id = started.body.run.id;
    await eventually(() => expect(model.requests).toHaveLength(1), { timeoutMs: 2_000 });
    const cancelled = await h.api<{ run: RunRecord }>('POST', `/api/runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    await eventually(
      async () =>
        expect((await h.api<{ run: RunRecord }>('GET', `/api/runs/${id}`)).body.run.status).toBe('cancelled'),
      { timeoutMs: 5_000 },
    );
  });

  it('streams events over SSE and resumes after Last-Event-ID without gaps or repeats', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] },
      { text: 'one two three four five six', chunkDelayMs: 5 },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'adder',
      task: 'Stream it',
    });
    const id = body.run.id;
    const headers = { authorization: `Bearer ${h.key}` };
    const first = await readSse(
      await fetch(`${h.url}/api/runs/${id}/events`, { headers }),
      (e) => e.event === 'tool.finished',
    );
    const lastId = first.at(-1)!.id!;
    const rest = await readSse(
      await fetch(`${h.url}/api/runs/${id}/events`, { headers: { ...headers, 'last-event-id': lastId } }),
    );
    const all = await readSse(await fetch(`${h.url}/api/runs/${id}/events`, { headers }));
    expect([...first, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
    const types = all.map((e) => e.event);
    expect(types[0]).toBe('run.queued');
    expect(types).toContain('tool.started');
    expect(types).toContain('step.committed');
    expect(types.at(-1)).toBe('run.finished');
    const streamed = all
      .filter((e) => e.event === 'model.delta')
      .map((e) => (JSON.parse(e.data) as { text: string }).text);
    expect(streamed.join('')).toBe('one two three four five six');
    // No streamed text arrives after the model step it belongs to has completed.
    const lastDelta = types.lastIndexOf('model.delta');
    expect(lastDelta).toBeLessThan(types.lastIndexOf('model.completed'));
  });

  it('starts a run once per Idempotency-Key', async () => {
    model.setHandler(() => ({ text: 'once' }));
    const post = (task: string, key: string) =>
      fetch(`${h.url}/api/runs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.key}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ agent: 'adder', task }),
      });
    const responses = await Promise.all([
      post('same', 'key-1'),
      post('same', 'key-1'),
      post('same', 'key-1'),
    ]);
    const ids = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { run: RunRecord }).run.id),
    );
    expect(new Set(ids).size).toBe(1);
    const conflict = await post('different task', 'key-1');
    expect(conflict.status).toBe(409);
    const bad = await post('x', 'has space');
    expect(bad.status).toBe(400);
    await waitForIdle();
    model.setHandler(undefined);
  });

  it('rejects bad run requests with exact codes and creates nothing', async () => {
    const before = (await h.api<{ runs: RunRecord[] }>('GET', '/api/runs?limit=500')).body.runs.length;
    expect(
      (await h.api<{ error: { code: string } }>('POST', '/api/runs', { agent: 'adder' })).body.error.code,
    ).toBe('request.invalid');
    expect(
      (await h.api<{ error: { code: string } }>('POST', '/api/runs', { agent: 'nobody', task: 'x' })).status,
    ).toBe(404);
    expect((await h.api<{ error: { code: string } }>('GET', '/api/runs/run_nope')).body.error.code).toBe(
      'run.not_found',
    );
    expect((await h.api<{ error: { code: string } }>('GET', '/api/runs?limit=0')).status).toBe(400);
    const after = (await h.api<{ runs: RunRecord[] }>('GET', '/api/runs?limit=500')).body.runs.length;
    expect(after).toBe(before);
  });
});
