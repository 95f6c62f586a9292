import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelSignals } from '../../src/core/kernel/run-events.ts';
import { hashInputs, RunJournal } from '../../src/core/kernel/run-journal.ts';
import { claimRuns } from '../../src/core/kernel/run-lease.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { judgePrompt } from '../../src/plugins/evals/llm-judge.ts';
import { CHECK_CALL_INDEX } from '../../src/plugins/evals/run-checks.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** The worker that died was another process: it had its own signals, which nobody here hears. */
const deadWorkerSignals = new KernelSignals();

const MODEL = 'scripted:test-model';
const RUBRIC = 'Is it polite?';

describe.each(storeTargets())('online check replay on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    model.setHandler(() => ({ text: '{"score": 1, "reason": "a second judgement that must not happen"}' }));
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    await h.createAgent({
      name: 'judged',
      instructions: 'You answer.',
      checks: { criteria: [{ kind: 'llm_judge', name: 'polite', rubric: RUBRIC }], onFail: 'flag' },
    });
  }, 60_000);

  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('a run that crashed after its judge call replays the verdict instead of judging again', async () => {
    const task = 'answer the customer';
    const run = await h.agentOs.kernel.runs.submit({
      workspaceId: h.workspaceId,
      userId: null,
      agent: 'judged',
      task,
      priority: 'standard',
    });
    // A worker answers, the judge scores the answer, and the worker dies before ending the run.
    const [claimed] = await claimRuns(h.agentOs.store, 'dead-worker', 60_000, 1);
    const journal = new RunJournal(
      h.agentOs.store,
      { runId: run.id, attempt: claimed!.attempt, workerId: 'dead-worker' },
      deadWorkerSignals,
    );
    const answer = 'whatever';
    const messages = [
      { role: 'system', content: 'You answer.' },
      { role: 'user', content: task },
    ];
    const result = (text: string) => ({
      v: 1 as const,
      text,
      toolCalls: [],
      finishReason: 'stop',
      inputTokens: 10,
      outputTokens: 5,
    });
    await journal.recordModelStep(0, MODEL, hashInputs({ model: MODEL, messages }), result(answer), 0);
    await journal.recordModelStep(
      0,
      MODEL,
      hashInputs({ model: MODEL, messages: judgePrompt(RUBRIC, task, answer) }),
      result('{"score": 0.1, "reason": "curt"}'),
      0,
      {
        kind: 'check',
        callIndex: CHECK_CALL_INDEX,
        input: { criterion: 'polite' },
        event: { type: 'checks.judged', data: { turn: 0, criterion: 'polite' } },
      },
    );
    await h.agentOs.store.query(
      "UPDATE runs SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [run.id],
    );

    const worker = h.agentOs.kernel.startWorker({ pollMs: 20 });
    try {
      const ended = await h.agentOs.kernel.runs.wait(h.workspaceId, run.id, {
        timeoutMs: 15_000,
        pollMs: 20,
      });
      expect(ended.status).toBe('succeeded');
      expect(ended.output?.checks).toEqual({
        passed: false,
        onFail: 'flag',
        failures: [{ criterion: 'polite', kind: 'llm_judge', detail: 'score 0.1 (threshold 0.7): curt' }],
      });
      expect(model.requests).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  });
});
