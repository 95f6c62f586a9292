import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Handoff, handoffSchema, renderHandoff } from '../../src/core/kernel/handoff.ts';
import { KernelSignals } from '../../src/core/kernel/run-events.ts';
import { hashInputs, RunJournal } from '../../src/core/kernel/run-journal.ts';
import { claimRuns } from '../../src/core/kernel/run-lease.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { storeHandoff } from '../../src/plugins/memory/handoff-memory.ts';
import { agentReadableScopes } from '../../src/plugins/memory/memory-access.ts';
import type { MemoryRecord } from '../../src/plugins/memory/memory-record.ts';
import { searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { memoryTools } from '../../src/plugins/memory/memory-tools.ts';
import { runAgentTool } from '../../src/plugins/orchestration/run-agent-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle, toolMessages } from './orchestration-support.ts';

/** The worker that died was another process: it had its own signals, which nobody here hears. */
const deadWorkerSignals = new KernelSignals();

const handoff = {
  goal: 'Refund invoice INV-7 for Dana, who was charged twice',
  done: ['Found the duplicate charge of 40 EUR on 3 May'],
  decisions: ['Refund to the original card, not as credit'],
  artefacts: [{ id: 'chg_123', name: 'duplicate charge', note: 'the second of the two' }],
};

describe('handoff schema and rendering', () => {
  it('renders the sections it has, in order, and leaves out empty ones', () => {
    expect(renderHandoff(handoffSchema.parse(handoff))).toBe(
      [
        'Handoff from the delegating agent:',
        'Goal: Refund invoice INV-7 for Dana, who was charged twice',
        'Done:',
        '- Found the duplicate charge of 40 EUR on 3 May',
        'Decisions:',
        '- Refund to the original card, not as credit',
        'Artefacts:',
        '- duplicate charge (chg_123): the second of the two',
      ].join('\n'),
    );
    expect(renderHandoff(handoffSchema.parse({ goal: 'Just this' }))).toBe(
      'Handoff from the delegating agent:\nGoal: Just this',
    );
  });

  it('defaults the lists and refuses a missing goal, unknown keys and oversized lists', () => {
    expect(handoffSchema.parse({ goal: 'g' })).toEqual({
      goal: 'g',
      done: [],
      decisions: [],
      openQuestions: [],
      artefacts: [],
    });
    expect(handoffSchema.safeParse({ done: ['x'] }).success).toBe(false);
    expect(handoffSchema.safeParse({ goal: 'g', notes: 'x' }).success).toBe(false);
    expect(handoffSchema.safeParse({ goal: 'g', done: Array(51).fill('x') }).success).toBe(false);
    expect(handoffSchema.safeParse({ goal: 'x'.repeat(2_001) }).success).toBe(false);
    expect(handoffSchema.safeParse({ goal: 'g', artefacts: [{ id: 'a' }] }).success).toBe(false);
  });
});

describe.each(storeTargets())('handoffs on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker | undefined;
  let bossId: string;
  let helperId: string;

  const handoffMemories = async (runId: string): Promise<Array<{ id: string; provenance: unknown }>> =>
    (
      await h.agentOs.store.query<{ id: string; provenance: unknown }>(
        "SELECT id, provenance FROM memories WHERE kind = 'handoff' AND provenance->>'runId' = $1",
        [runId],
      )
    ).rows;
  const children = async (parentId: string) =>
    (await h.agentOs.store.query<{ id: string }>('SELECT id FROM runs WHERE parent_run_id = $1', [parentId]))
      .rows;
  const startWorker = () => {
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([runAgentTool(() => h.agentOs.kernel), ...memoryTools(store)]),
      roles: ['api'],
    });
    bossId = await h.createAgent({ name: 'boss', instructions: 'You delegate.', tools: ['run_agent'] });
    helperId = await h.createAgent({ name: 'helper', instructions: 'You refund.', tools: ['recall'] });
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

  it('passes the handoff to the child and stores it as a memory the receiver recalls', async () => {
    startWorker();
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'run_agent', arguments: { agent: 'helper', task: 'Do the refund', handoff } }],
      },
      { kind: 'tool_calls', toolCalls: [{ name: 'recall', arguments: { query: 'refund invoice INV-7' } }] },
      { text: 'Refunded.' },
      { text: 'The helper refunded it.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'boss', task: 'Refund' });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');

    const [child] = await children(done.id);
    const childRun = await h.api<{ run: RunRecord }>('GET', `/api/runs/${child?.id}`);
    expect(childRun.body.run.input.handoff).toEqual(handoffSchema.parse(handoff));

    const [stored] = await handoffMemories(done.id);
    const memory = await h.api<{ memory: MemoryRecord }>('GET', `/api/memories/${stored?.id}`);
    expect(memory.body.memory).toMatchObject({
      kind: 'handoff',
      scope: 'user',
      scopeId: done.userId,
      trust: 'trusted',
      provenance: { source: 'agent_inferred', runId: done.id, agentId: bossId, step: 0, userId: done.userId },
    });
    expect(memory.body.memory.subjects).toContain('helper');
    expect(memory.body.memory.content).toMatch(/^Handoff from boss to helper:\nGoal: Refund invoice INV-7/);

    // The parent's call result names the memory; the child's recall found it.
    expect(toolMessages(model, 3)[0]).toContain(`"handoffId":"${stored?.id}"`);
    expect(toolMessages(model, 2)[0]).toContain(stored?.id);
    const hits = await searchMemories(h.agentOs.store, {
      workspaceId: h.workspaceId,
      query: 'duplicate charge refund',
      scopes: agentReadableScopes({ workspaceId: h.workspaceId, agentId: helperId, userId: done.userId }),
      limit: 5,
      kind: 'handoff',
    });
    expect(hits.map((hit) => hit.memory.id)).toContain(stored?.id);
  });

  it('sends an invalid handoff back to the model as an error and starts no child', async () => {
    startWorker();
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'run_agent', arguments: { agent: 'helper', task: 'Do it', handoff: { done: ['half'] } } },
        ],
      },
      { text: 'I could not delegate.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'boss', task: 'Refund' });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');
    expect(toolMessages(model, 1)[0]).toMatch(/goal/);
    expect(await children(done.id)).toHaveLength(0);
    expect(await handoffMemories(done.id)).toHaveLength(0);
  });

  it('keeps one handoff memory when a parent is re-driven after a crash mid-call', async () => {
    const parent = await createRun(h.agentOs.store, {
      workspaceId: h.workspaceId,
      agentId: bossId,
      agentVersion: 1,
      userId: null,
      input: { task: 'Refund' },
      priority: 'standard',
    });
    const [claimed] = await claimRuns(h.agentOs.store, 'dead-worker', 60_000, 1);
    expect(claimed?.id).toBe(parent.id);
    const lease = { runId: parent.id, attempt: claimed!.attempt, workerId: 'dead-worker' };
    const journal = new RunJournal(h.agentOs.store, lease, deadWorkerSignals);
    const args = { agent: 'helper', task: 'Do the refund', handoff };
    const call = { id: 'call_x', name: 'run_agent', argumentsText: JSON.stringify(args) };
    const messages = [
      { role: 'system', content: 'You delegate.' },
      { role: 'user', content: 'Refund' },
    ];
    const modelResult = {
      v: 1 as const,
      text: '',
      toolCalls: [call],
      finishReason: 'tool-calls',
      inputTokens: 1,
      outputTokens: 1,
    };
    await journal.recordModelStep(
      0,
      'scripted:test-model',
      hashInputs({ model: 'scripted:test-model', messages }),
      modelResult,
      0,
    );
    await journal.beginToolStep(0, 0, call, hashInputs({ name: 'run_agent', arguments: call.argumentsText }));
    // The dead worker's call got as far as storing the handoff.
    const first = await storeHandoff(h.agentOs.store, {
      workspaceId: h.workspaceId,
      userId: null,
      fromAgentId: bossId,
      fromAgentName: 'boss',
      toAgentId: helperId,
      toAgentName: 'helper',
      runId: parent.id,
      step: 0,
      requestKey: `${parent.id}:0:0`,
      handoff: handoffSchema.parse(handoff),
    });
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [parent.id],
    );
    model.enqueue({ text: 'Refunded.' }, { text: 'Done.' });
    startWorker();
    const done = await settle(h.agentOs.kernel, h.workspaceId, parent.id);
    expect(done.status).toBe('succeeded');
    expect(await children(parent.id)).toHaveLength(1);
    expect((await handoffMemories(parent.id)).map((m) => m.id)).toEqual([first.id]);
    expect(first.scope).toBe('workspace');
    expect(toolMessages(model, 1)[0]).toContain(`"handoffId":"${first.id}"`);
  });

  it('stores once per request key, and never merges two delegations that say the same', async () => {
    const input = (runId: string, requestKey: string, body: Handoff) => ({
      workspaceId: h.workspaceId,
      userId: null,
      fromAgentId: bossId,
      fromAgentName: 'boss',
      toAgentId: helperId,
      toAgentName: 'helper',
      runId,
      requestKey,
      handoff: body,
    });
    const body = handoffSchema.parse({ goal: 'Close ticket T-9', done: ['Replied to the customer'] });
    const a = await storeHandoff(h.agentOs.store, input('run_a', 'run_a:1:0', body));
    const again = await storeHandoff(h.agentOs.store, input('run_a', 'run_a:1:0', body));
    const b = await storeHandoff(h.agentOs.store, input('run_b', 'run_b:1:0', body));
    expect(again.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect(b.provenance.runId).toBe('run_b');
    expect(await handoffMemories('run_a')).toHaveLength(1);
  });
});
