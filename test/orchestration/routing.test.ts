import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listRunEvents } from '../../src/core/kernel/run-events.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle } from './orchestration-support.ts';

describe.each(storeTargets())('task routing on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  let billingId: string;
  let supportId: string;

  const routed = async (runId: string) =>
    (await listRunEvents(h.agentOs.store, runId, 0)).find((e) => e.type === 'run.routed')?.data;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    billingId = await h.createAgent({ name: 'billing', description: 'Handles invoices and refunds' });
    supportId = await h.createAgent({ name: 'support', description: 'Answers product questions' });
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(() => {
    model.requests.length = 0;
  });

  it('sends a task without an agent to the one the router picks and records why', async () => {
    model.enqueue({ text: '{"agent": "billing", "reason": "It asks for a refund."}' }, { text: 'Refunded.' });
    const { status, body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      task: 'Refund order 42',
    });
    expect(status).toBe(202);
    expect(body.run.agentId).toBe(billingId);
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.output?.text).toBe('Refunded.');
    expect(await routed(done.id)).toEqual({
      agent: 'billing',
      reason: 'It asks for a refund.',
      model: 'scripted:test-model',
    });
    const routerPrompt = JSON.stringify(model.requests[0]?.body.messages);
    expect(routerPrompt).toMatch(/billing: Handles invoices and refunds/);
    expect(routerPrompt).toMatch(/support: Answers product questions/);
  });

  it('sends a task naming an agent straight there, without asking the router', async () => {
    model.enqueue({ text: 'Here is how.' });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      task: '@support how do I log in?',
    });
    expect(body.run.agentId).toBe(supportId);
    await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(model.requests).toHaveLength(1);
    expect(await routed(body.run.id)).toMatchObject({ agent: 'support', model: null });
  });

  it('refuses a task the router cannot place', async () => {
    model.enqueue({ text: 'I am not sure.' });
    const { status } = await h.api('POST', '/api/runs', { task: 'Something odd' });
    expect(status).toBe(400);
  });
});
