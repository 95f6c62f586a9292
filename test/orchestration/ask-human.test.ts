import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listRunSteps } from '../../src/core/kernel/run-journal.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { askHumanTool } from '../../src/plugins/orchestration/ask-human-tool.ts';
import { orchestrationTick } from '../../src/plugins/orchestration/orchestration-ticker.ts';
import { createKernel } from '../../src/runtime/create-kernel.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { runCli } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';
import { otherUserKey, post, settle, toolMessages } from './orchestration-support.ts';

describe.each(storeTargets())('ask_human on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  let eveKey: string;
  const tools = new ToolRegistry([askHumanTool()]);

  const start = async (task: string) => {
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'helper', task });
    return settle(h.agentOs.kernel, h.workspaceId, body.run.id);
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools,
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    await h.createAgent({ name: 'helper', instructions: 'You help.', tools: ['ask_human'] });
    eveKey = await otherUserKey(h);
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(() => {
    model.requests.length = 0;
  });

  it('pauses with the question, survives a restart, enforces who and what may answer, then resumes', async () => {
    model.enqueue({
      kind: 'tool_calls',
      toolCalls: [{ name: 'ask_human', arguments: { question: 'Which colour?', choices: ['red', 'blue'] } }],
    });
    const paused = await start('Paint the shed');
    expect(paused.status).toBe('paused');
    expect(paused.pause).toMatchObject({
      reason: 'question',
      question: 'Which colour?',
      choices: ['red', 'blue'],
    });
    const listed = await h.api<{ questions: Array<{ runId: string }> }>('GET', '/api/questions');
    expect(listed.body.questions.map((q) => q.runId)).toContain(paused.id);

    // A restart: this process's worker goes away; a fresh kernel on the same store picks the run up.
    await worker.stop();
    const restarted = createKernel(h.agentOs.store, h.config, { tools, gateway: h.agentOs.kernel.gateway });
    const worker2 = restarted.startWorker({ leaseMs: 3_000, pollMs: 20 });
    try {
      expect((await post(h, `/api/runs/${paused.id}/answer`, { answer: 'blue' }, eveKey)).status).toBe(404);
      const bad = await post(h, `/api/runs/${paused.id}/answer`, { answer: 'green' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/red, blue/);

      model.enqueue({ text: 'Painting it blue.' });
      expect((await post(h, `/api/runs/${paused.id}/answer`, { answer: 'blue' })).status).toBe(200);
      const done = await settle(restarted, h.workspaceId, paused.id);
      expect(done.status).toBe('succeeded');
      expect(done.output?.text).toBe('Painting it blue.');
      expect(toolMessages(model, 1)[0]).toMatch(/"answer":"blue"/);
      const step = (await listRunSteps(h.agentOs.store, paused.id)).find((s) => s.name === 'ask_human');
      expect(step).toMatchObject({
        status: 'completed',
        result: { output: { answer: 'blue' }, isError: false },
      });
      // Answered once: a second answer is refused.
      expect((await post(h, `/api/runs/${paused.id}/answer`, { answer: 'red' })).status).toBe(409);
    } finally {
      await worker2.stop();
      worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    }
  });

  it('takes the answer from `agentos runs answer`', async () => {
    model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'ask_human', arguments: { question: 'Go?' } }] });
    const paused = await start('Ask before going');
    expect(paused.status).toBe('paused');
    model.enqueue({ text: 'Going.' });
    const args = ['runs', 'answer', paused.id, 'yes', '--url', h.url, '--api-key', h.key, '--json'];
    const cli = await runCli(args, { cwd: tempHome() });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({ runId: paused.id, status: 'queued' });
    expect((await settle(h.agentOs.kernel, h.workspaceId, paused.id)).output?.text).toBe('Going.');
    expect(toolMessages(model, 1)[0]).toMatch(/"answer":"yes"/);
  });

  it('ends an unanswered question past its expiry with a clear tool result', async () => {
    model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'ask_human', arguments: { question: 'Ok?' } }] });
    const paused = await start('Ask first');
    expect(paused.status).toBe('paused');
    await h.agentOs.store.query(
      `UPDATE runs SET pause = jsonb_set(pause, '{expiresAt}', '"2000-01-01T00:00:00.000Z"') WHERE id = $1`,
      [paused.id],
    );
    model.enqueue({ text: 'Nobody answered; stopping.' });
    // Every worker process's ticker ends overdue questions.
    await orchestrationTick(h.agentOs.kernel);
    const done = await settle(h.agentOs.kernel, h.workspaceId, paused.id);
    expect(done.status).toBe('succeeded');
    expect(toolMessages(model, 1)[0]).toMatch(/No answer before 2000-01-01T00:00:00.000Z/);
  });
});
