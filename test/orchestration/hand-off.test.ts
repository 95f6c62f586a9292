import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { handOffTool } from '../../src/plugins/orchestration/hand-off-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle } from './orchestration-support.ts';

const handoff = {
  goal: 'Book the Lisbon offsite venue for 12 people',
  done: ['Shortlisted Casa Azul and LX Factory'],
  decisions: ['Budget capped at 3k EUR'],
  openQuestions: ['Is 14 May still free?'],
};

describe.each(storeTargets())('hand_off on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([handOffTool(() => h.agentOs.kernel)]),
    });
    await h.createAgent({ name: 'concierge', instructions: 'You triage requests.', tools: ['hand_off'] });
    await h.createAgent({ name: 'booker', instructions: 'You book venues.' });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('passes control: the run ends at once and the receiver continues from the handoff', async () => {
    // Both replies are queued up front: the receiver starts as soon as the handoff is journaled,
    // and may ask the model before the sender's run is even reported as ended.
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'hand_off', arguments: { agent: 'booker', task: 'Book the venue', handoff } }],
      },
      { text: 'Booked Casa Azul for 14 May.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'concierge',
      task: 'Organise the Lisbon offsite',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    const first = body.run;
    expect(first.status).toBe('succeeded');
    expect(first.output?.text).toMatch(/^Handed off to booker \(run run_[0-9a-z]+\)\.$/);
    // One model call: the sender did not get another turn after handing off.
    expect(first.usage.modelCalls).toBe(1);

    const { rows } = await h.agentOs.store.query<{ id: string }>(
      'SELECT id FROM runs WHERE parent_run_id = $1',
      [first.id],
    );
    expect(rows).toHaveLength(1);
    const second = await settle(h.agentOs.kernel, h.workspaceId, rows[0]!.id);
    expect(second).toMatchObject({ status: 'succeeded', output: { text: 'Booked Casa Azul for 14 May.' } });
    // The receiver's first prompt carries the structured handoff before its task.
    const prompt = JSON.stringify(model.requests.at(-1)?.body.messages);
    expect(prompt).toContain('Handoff from the delegating agent:');
    expect(prompt).toContain('Budget capped at 3k EUR');
    expect(prompt).toContain('Is 14 May still free?');

    const tree = await h.api<{ tree: unknown }>('GET', `/api/runs/${first.id}/tree`);
    expect(JSON.stringify(tree.body)).toContain(second.id);
  });

  it('refuses an invalid handoff back to the model and passes nothing', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'hand_off', arguments: { agent: 'booker', task: 'x' } }] },
      { text: 'I will do it myself.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'concierge',
      task: 'Another offsite',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    expect(body.run).toMatchObject({ status: 'succeeded', output: { text: 'I will do it myself.' } });
    const { rows } = await h.agentOs.store.query('SELECT id FROM runs WHERE parent_run_id = $1', [
      body.run.id,
    ]);
    expect(rows).toHaveLength(0);
  });
});
