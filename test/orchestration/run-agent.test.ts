import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KernelSignals } from '../../src/core/kernel/run-events.ts';
import { hashInputs, listRunSteps, RunJournal } from '../../src/core/kernel/run-journal.ts';
import { claimRuns } from '../../src/core/kernel/run-lease.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { runAgentTool } from '../../src/plugins/orchestration/run-agent-tool.ts';
import type { RunTreeNode } from '../../src/plugins/orchestration/run-tree.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle, toolMessages } from './orchestration-support.ts';

/** The worker that died was another process: it had its own signals, which nobody here hears. */
const deadWorkerSignals = new KernelSignals();

describe.each(storeTargets())('run_agent on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker | undefined;
  let bossId: string;
  let helperId: string;
  const tools = new ToolRegistry([runAgentTool(() => h.agentOs.kernel)]);
  const delegate = { agent: 'helper', task: 'What is 2+2?' };

  const children = async (parentId: string) =>
    (
      await h.agentOs.store.query<{ id: string; depth: number }>(
        'SELECT id, depth FROM runs WHERE parent_run_id = $1',
        [parentId],
      )
    ).rows;
  const startWorker = () => {
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools,
      roles: ['api'],
    });
    bossId = await h.createAgent({ name: 'boss', instructions: 'You delegate.', tools: ['run_agent'] });
    helperId = await h.createAgent({ name: 'helper', instructions: 'You add.', tools: [] });
  });
  afterAll(async () => {
    await worker?.stop();
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(async () => {
    await worker?.stop();
    worker = undefined;
    model.requests.length = 0;
  });

  it('runs the child for the same user, linked to its parent, and returns its answer', async () => {
    startWorker();
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'run_agent', arguments: delegate }] },
      { text: '4' },
    );
    model.enqueue({ text: 'The helper says 4.' });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'boss',
      task: 'Ask the helper',
    });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');
    expect(toolMessages(model, 2)[0]).toMatch(/"answer":"4"/);
    const [child] = await children(done.id);
    expect(child?.depth).toBe(1);
    const tree = await h.api<{ tree: RunTreeNode }>('GET', `/api/runs/${done.id}/tree`);
    expect(tree.body.tree.children.map((c) => [c.id, c.agentId, c.status])).toEqual([
      [child?.id, helperId, 'succeeded'],
    ]);
    const childRun = await h.api<{ run: RunRecord }>('GET', `/api/runs/${child?.id}`);
    expect(childRun.body.run.userId).toBe(done.userId);
  });

  it('finds the same child when a parent is re-driven after a crash mid-call', async () => {
    const parent = await createRun(h.agentOs.store, {
      workspaceId: h.workspaceId,
      agentId: bossId,
      agentVersion: 1,
      userId: null,
      input: { task: 'Ask the helper' },
      priority: 'standard',
    });
    const [claimed] = await claimRuns(h.agentOs.store, 'dead-worker', 60_000, 1);
    expect(claimed?.id).toBe(parent.id);
    const lease = { runId: parent.id, attempt: claimed!.attempt, workerId: 'dead-worker' };
    const journal = new RunJournal(h.agentOs.store, lease, deadWorkerSignals);
    const call = { id: 'call_x', name: 'run_agent', argumentsText: JSON.stringify(delegate) };
    const messages = [
      { role: 'system', content: 'You delegate.' },
      { role: 'user', content: 'Ask the helper' },
    ];
    const modelResult = {
      v: 1 as const,
      text: '',
      toolCalls: [call],
      finishReason: 'tool-calls',
      inputTokens: 1,
      outputTokens: 1,
    };
    const hash = hashInputs({ model: 'scripted:test-model', messages });
    await journal.recordModelStep(0, 'scripted:test-model', hash, modelResult, 0);
    await journal.beginToolStep(0, 0, call, hashInputs({ name: 'run_agent', arguments: call.argumentsText }));
    // The dead worker's call got as far as creating the child.
    await createRun(h.agentOs.store, {
      workspaceId: h.workspaceId,
      agentId: helperId,
      agentVersion: 1,
      userId: null,
      input: { task: delegate.task },
      priority: 'interactive',
      idempotencyKey: `${parent.id}:0:0`,
      parentRunId: parent.id,
      depth: 1,
    });
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [parent.id],
    );
    model.enqueue({ text: '4' }, { text: 'The helper says 4.' });
    startWorker();
    const done = await settle(h.agentOs.kernel, h.workspaceId, parent.id);
    expect(done.status).toBe('succeeded');
    expect(done.output?.text).toBe('The helper says 4.');
    expect(await children(parent.id)).toHaveLength(1);
  });

  it("carves the child's budget out of what the parent has left", async () => {
    startWorker();
    await h.createAgent({
      name: 'thrifty',
      instructions: 'You delegate.',
      tools: ['run_agent'],
      limits: { maxTokens: 5_000 },
    });
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'run_agent', arguments: delegate }] },
      { text: '4' },
    );
    model.enqueue({ text: 'Done.' });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'thrifty',
      task: 'Delegate',
    });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');
    const [first] = await listRunSteps(h.agentOs.store, done.id);
    const [child] = await children(done.id);
    const childRun = await h.api<{ run: RunRecord }>('GET', `/api/runs/${child?.id}`);
    expect(childRun.body.run.input.budget).toEqual({
      maxTokens: 5_000 - (first?.inputTokens ?? 0) - (first?.outputTokens ?? 0),
    });
  });

  it('refuses to nest deeper than the limit', async () => {
    startWorker();
    const deep = await createRun(h.agentOs.store, {
      workspaceId: h.workspaceId,
      agentId: bossId,
      agentVersion: 1,
      userId: null,
      input: { task: 'Ask the helper' },
      priority: 'standard',
      depth: 3,
    });
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'run_agent', arguments: delegate }] },
      { text: 'Could not delegate.' },
    );
    h.agentOs.kernel.runs.queued();
    const done = await settle(h.agentOs.kernel, h.workspaceId, deep.id);
    expect(done.status).toBe('succeeded');
    expect(toolMessages(model, 1)[0]).toMatch(/at most 3 deep/);
    expect(await children(deep.id)).toHaveLength(0);
  });
});
