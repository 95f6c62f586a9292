import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KernelSignals } from '../../src/core/kernel/run-events.ts';
import { hashInputs, listRunSteps, RunJournal } from '../../src/core/kernel/run-journal.ts';
import { claimRuns, type Lease, LeaseLostError } from '../../src/core/kernel/run-lease.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { getRunById } from '../../src/core/kernel/run-repo.ts';
import { MODEL_CALL_INDEX } from '../../src/core/kernel/step-kinds.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { jsonParam } from '../../src/core/store/sql-client.ts';
import { ManualClock } from '../../src/core/time/manual-clock.ts';
import { defineTool, type ReconcileResult } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** The worker that died was another process: it had its own signals, which nobody here hears. */
const deadWorkerSignals = new KernelSignals();

/** Side effects recorded the way a real system would: an append-only log, no uniqueness. */
const effects: string[] = [];
const args = z.object({ to: z.string() });
const tools = new ToolRegistry([
  defineTool({
    name: 'send',
    description: 'Sends a message (not idempotent, no reconcile)',
    inputSchema: args,
    idempotent: false,
    execute: async ({ to }, ctx) => {
      effects.push(`send:${to}:${ctx.idempotencyKey}`);
      return { sent: to };
    },
  }),
  defineTool({
    name: 'pay',
    description: 'Pays (not idempotent, can reconcile from the effect log)',
    inputSchema: args,
    idempotent: false,
    execute: async ({ to }, ctx) => {
      effects.push(`pay:${to}:${ctx.idempotencyKey}`);
      return { paid: to };
    },
    reconcile: async (ctx): Promise<ReconcileResult> => {
      const done = effects.find((e) => e.startsWith('pay:') && e.endsWith(`:${ctx.idempotencyKey}`));
      return done === undefined
        ? { executed: false }
        : { executed: true, output: { paid: done.split(':')[1], reconciled: true } };
    },
  }),
  defineTool({
    name: 'put',
    description: 'Idempotent write',
    inputSchema: args,
    idempotent: true,
    execute: async ({ to }, ctx) => {
      effects.push(`put:${to}:${ctx.idempotencyKey}`);
      return { put: to };
    },
  }),
  defineTool({
    // An MCP server's tool, as the naming rule spells it; journals of before called it `ledger.put`.
    name: 'ledger__put',
    description: 'Idempotent ledger write',
    inputSchema: args,
    idempotent: true,
    execute: async ({ to }, ctx) => {
      effects.push(`ledger:${to}:${ctx.idempotencyKey}`);
      return { put: to };
    },
  }),
]);

describe.each(storeTargets())('crash recovery on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  /** Workers here run on a clock that never moves: no poll, no renewal; claims come from the store and signals. */
  let worker: Worker | undefined;

  /** A run that a now-dead worker claimed, got a tool call for, and crashed while executing. */
  async function crashedMidTool(tool: string, options: { effectHappened: boolean }): Promise<RunRecord> {
    const run = await h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'clerk',
      task: `use ${tool}`,
      priority: 'standard',
    });
    const [claimed] = await claimRuns(h.agentOs.store, 'dead-worker', 60_000, 1);
    expect(claimed?.id).toBe(run.id);
    const journal = new RunJournal(
      h.agentOs.store,
      { runId: run.id, attempt: claimed!.attempt, workerId: 'dead-worker' },
      deadWorkerSignals,
    );
    const call = { id: 'call_x', name: tool, argumentsText: '{"to":"ada"}' };
    const messages = [
      { role: 'system', content: 'You are a clerk.' },
      { role: 'user', content: `use ${tool}` },
    ];
    await journal.recordModelStep(
      0,
      'scripted:test-model',
      hashInputs({ model: 'scripted:test-model', messages }),
      {
        v: 1,
        text: '',
        toolCalls: [call],
        finishReason: 'tool-calls',
        inputTokens: 10,
        outputTokens: 5,
      },
      0,
    );
    await journal.beginToolStep(0, 0, call, hashInputs({ name: tool, arguments: call.argumentsText }));
    if (options.effectHappened) effects.push(`${tool}:ada:${run.id}:0:0`);
    // The dead worker stops heartbeating: its lease runs out.
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    return run;
  }

  const settle = (runId: string) =>
    h.agentOs.kernel.runs.wait(h.workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });
  const count = (prefix: string) => effects.filter((e) => e.startsWith(prefix)).length;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools,
      roles: ['api'],
    });
    // `ledger.put` is granted in the spelling of before the naming rule.
    await h.createAgent({
      name: 'clerk',
      instructions: 'You are a clerk.',
      tools: ['send', 'pay', 'put', 'ledger.put'],
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(async () => {
    await worker?.stop();
    worker = undefined;
    effects.length = 0;
    model.requests.length = 0;
  });

  it('fences a stale worker: after another worker takes the run, none of its writes commit', async () => {
    const run = await h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'clerk',
      task: 'x',
      priority: 'standard',
    });
    const [stale] = await claimRuns(h.agentOs.store, 'stale-worker', 60_000, 1);
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    const [fresh] = await claimRuns(h.agentOs.store, 'fresh-worker', 60_000, 1);
    expect(fresh).toMatchObject({ id: run.id, attempt: stale!.attempt + 1 });

    const staleLease: Lease = { runId: run.id, attempt: stale!.attempt, workerId: 'stale-worker' };
    const staleJournal = new RunJournal(h.agentOs.store, staleLease, deadWorkerSignals);
    const call = { id: 'c', name: 'send', argumentsText: '{"to":"x"}' };
    await expect(
      staleJournal.recordModelStep(
        0,
        'scripted:test-model',
        'h',
        { v: 1, text: 'late', toolCalls: [], finishReason: 'stop', inputTokens: 1, outputTokens: 1 },
        0,
      ),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(staleJournal.beginToolStep(0, 0, call, 'h')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(staleJournal.finish('succeeded', { output: { text: 'late' } })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await listRunSteps(h.agentOs.store, run.id)).toEqual([]);
    expect(await getRunById(h.agentOs.store, run.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'fresh-worker',
      output: null,
    });

    // The same worker id with an old attempt number is fenced too.
    const sameIdOldAttempt = new RunJournal(
      h.agentOs.store,
      { ...staleLease, workerId: 'fresh-worker' },
      deadWorkerSignals,
    );
    await expect(sameIdOldAttempt.finish('failed', {})).rejects.toBeInstanceOf(LeaseLostError);
    await h.api('POST', `/api/runs/${run.id}/cancel`);
  });

  it('pauses instead of re-running a non-idempotent call whose outcome is unknown, then follows the decision', async () => {
    const run = await crashedMidTool('send', { effectHappened: true });
    model.enqueue({ text: 'Sent.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    const paused = await settle(run.id);
    expect(paused.status).toBe('paused');
    expect(paused.pause).toMatchObject({
      reason: 'tool_outcome_unknown',
      tool: 'send',
      turn: 0,
      callIndex: 0,
    });
    expect(count('send:')).toBe(1);
    expect((await listRunSteps(h.agentOs.store, run.id)).find((s) => s.kind === 'tool')?.status).toBe(
      'unknown',
    );

    const noDecision = await h.api<{ error: { code: string } }>('POST', `/api/runs/${run.id}/resume`, {});
    expect(noDecision.body.error.code).toBe('request.invalid');
    const resumed = await h.api('POST', `/api/runs/${run.id}/resume`, {
      decision: { action: 'assume_done', output: { sent: 'ada' } },
    });
    expect(resumed.status).toBe(200);
    const done = await settle(run.id);
    expect(done).toMatchObject({ status: 'succeeded', output: { text: 'Sent.' } });
    expect(count('send:')).toBe(1);
    expect(model.requests).toHaveLength(1);
  });

  it('re-runs an unknown call exactly once when a person decides retry', async () => {
    const run = await crashedMidTool('send', { effectHappened: false });
    model.enqueue({ text: 'Sent now.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    expect((await settle(run.id)).status).toBe('paused');
    await h.api('POST', `/api/runs/${run.id}/resume`, { decision: { action: 'retry' } });
    expect((await settle(run.id)).status).toBe('succeeded');
    expect(effects).toEqual([`send:ada:${run.id}:0:0`]);
  });

  it("asks a non-idempotent tool's reconcile function and does not repeat an effect that happened", async () => {
    const run = await crashedMidTool('pay', { effectHappened: true });
    model.enqueue({ text: 'Paid.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    expect((await settle(run.id)).status).toBe('succeeded');
    expect(count('pay:')).toBe(1);
    const step = (await listRunSteps(h.agentOs.store, run.id)).find((s) => s.kind === 'tool');
    expect(step?.result).toMatchObject({ via: 'reconciled', output: { reconciled: true } });
  });

  it('runs a reconciled call that had not happened, once', async () => {
    const run = await crashedMidTool('pay', { effectHappened: false });
    model.enqueue({ text: 'Paid.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    expect((await settle(run.id)).status).toBe('succeeded');
    expect(effects).toEqual([`pay:ada:${run.id}:0:0`]);
  });

  it('re-runs an idempotent call with the same idempotency key, and never re-calls a completed model step', async () => {
    const run = await crashedMidTool('put', { effectHappened: true });
    model.enqueue({ text: 'Stored.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    expect((await settle(run.id)).status).toBe('succeeded');
    expect(effects).toEqual([`put:ada:${run.id}:0:0`, `put:ada:${run.id}:0:0`]);
    expect(new Set(effects).size).toBe(1);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]?.body.messages.some((m) => m.role === 'tool')).toBe(true);
  });

  /** A submitted run whose journal is a stored fixture's steps, under the fixture's journal version. */
  async function runFromFixture(path: string): Promise<RunRecord> {
    const fixture = JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as {
      journalVersion: number;
      task: string;
      steps: Array<{
        turn: number;
        call_index: number;
        kind: string;
        status: string;
        name: string;
        input: unknown;
        result: unknown;
      }>;
    };
    const run = await h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'clerk',
      task: fixture.task,
      priority: 'standard',
    });
    const messages = [
      { role: 'system', content: 'You are a clerk.' },
      { role: 'user', content: fixture.task },
    ];
    for (const step of fixture.steps) {
      const inputsHash =
        step.kind === 'model' ? hashInputs({ model: 'scripted:test-model', messages }) : 'fixture';
      await h.agentOs.store.query(
        `INSERT INTO run_steps (run_id, turn, call_index, kind, status, attempt, idempotency_key, name, inputs_hash, input, result)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9::jsonb, $10::jsonb)`,
        [
          run.id,
          step.turn,
          step.call_index,
          step.kind,
          step.status,
          `${run.id}:${step.turn}:${step.call_index}`,
          step.name,
          inputsHash,
          jsonParam(step.input),
          jsonParam(step.result),
        ],
      );
    }
    await h.agentOs.store.query('UPDATE runs SET journal_version = $2 WHERE id = $1', [
      run.id,
      fixture.journalVersion,
    ]);
    return run;
  }

  it.each(['journal-v1.json', 'journal-v2/tool.json'])(
    'resumes a stored journal (fixture %s)',
    async (path) => {
      const run = await runFromFixture(path);
      model.enqueue({ text: 'It is 42.' });
      worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
      const done = await settle(run.id);
      expect(done).toMatchObject({ status: 'succeeded', output: { text: 'It is 42.' } });
      expect(model.requests).toHaveLength(1);
      const toolMessage = model.requests[0]?.body.messages.find((m) => m.role === 'tool');
      expect(toolMessage).toMatchObject({ tool_call_id: 'call_fixture_1', content: '{"sum":42}' });
      expect(effects).toEqual([]);
      const steps = await listRunSteps(h.agentOs.store, run.id);
      expect(steps.filter((s) => s.callIndex === MODEL_CALL_INDEX)).toHaveLength(2);
    },
  );

  it('resumes a journal that calls a tool by its old dotted name: same tool, same grant, a valid name on the wire', async () => {
    const run = await runFromFixture('journal-v2/legacy-tool-name.json');
    model.enqueue({ text: 'Put.' });
    worker = h.agentOs.kernel.startWorker({ clock: new ManualClock(), leaseMs: 2_000, pollMs: 20 });
    expect(await settle(run.id)).toMatchObject({ status: 'succeeded', output: { text: 'Put.' } });
    expect(effects).toEqual([`ledger:ada:${run.id}:0:0`]);
    const sent = model.requests[0]?.body;
    expect(sent?.tools?.map((t) => t.function.name)).toContain('ledger__put');
    const assistant = sent?.messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.map((c) => c.function.name)).toEqual(['ledger__put']);
    expect(String(sent?.messages.find((m) => m.role === 'tool')?.content)).toContain('{"put":"ada"}');
  });

  it.each([
    ['journal-v2/invalid/unknown-kind.json', 'journal.invalid'],
    ['journal-v2/invalid/invalid-tool-result.json', 'journal.invalid'],
    ['journal-v2/invalid/future-version.json', 'journal.version_unsupported'],
  ])('fails a run whose stored journal it cannot replay (%s), calling nothing', async (path, code) => {
    const run = await runFromFixture(path);
    worker = h.agentOs.kernel.startWorker({ leaseMs: 2_000, pollMs: 20 });
    const done = await settle(run.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(code);
    expect(model.requests).toHaveLength(0);
    expect(effects).toEqual([]);
  });
});
