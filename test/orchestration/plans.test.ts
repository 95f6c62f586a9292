import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Kernel } from '../../src/core/kernel/kernel.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { createPlanTool } from '../../src/plugins/orchestration/create-plan-tool.ts';
import { parsePlan } from '../../src/plugins/orchestration/plan-definition.ts';
import { nodeAttemptKey, PlanExecutor } from '../../src/plugins/orchestration/plan-executor.ts';
import {
  createPlan,
  type PlanNodeRecord,
  type PlanRecord,
} from '../../src/plugins/orchestration/plan-repo.ts';
import { createKernel } from '../../src/runtime/create-kernel.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { runCli } from '../support/run-cli.ts';
import type {
  RecordedRequest,
  ScriptedModelServer,
  ScriptedReply,
} from '../support/scripted-model-server.ts';
import { startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';
import { settle, toolMessages } from './orchestration-support.ts';

interface PlanView {
  plan: PlanRecord;
  nodes: PlanNodeRecord[];
}

/** The `[tag]` of a node's task in the request's user message: which node a model request serves. */
function tagOf(request: RecordedRequest): string | undefined {
  const user = request.body.messages.find((m) => m.role === 'user');
  return /\[([a-z0-9-]+)\]/.exec(JSON.stringify(user?.content ?? ''))?.[1];
}

/** a → {b1 → c1, b2 → c2} → d, each task tagged `[<prefix>-<node>]`; d combines c1's and c2's outputs. */
function diamond(prefix: string) {
  const node = (id: string, dependsOn: string[], task = `[${prefix}-${id}] do ${id}`) => ({
    id,
    kind: 'agent' as const,
    agent: 'worker',
    task,
    dependsOn,
  });
  return {
    name: `${prefix} diamond`,
    nodes: [
      node('a', []),
      node('b1', ['a']),
      node('b2', ['a']),
      node('c1', ['b1']),
      node('c2', ['b2']),
      node('d', ['c1', 'c2'], `[${prefix}-d] combine {{nodes.c1.output}} and {{nodes.c2.output}}`),
    ],
  };
}

describe.each(storeTargets())('plans on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let looked = 0;
  /** Per tag: how the model answers (default: `out-<tag>` after 100 ms). */
  const behaviour = new Map<string, () => ScriptedReply>();
  const stops: Array<() => Promise<void>> = [];
  const lookup = defineTool({
    name: 'lookup',
    description: 'Looks a word up',
    inputSchema: z.strictObject({ word: z.string() }),
    idempotent: true,
    execute: async (input) => {
      looked += 1;
      return { definition: `meaning of ${input.word}` };
    },
  });
  const send = defineTool({
    name: 'send',
    description: 'Sends',
    inputSchema: z.strictObject({}),
    idempotent: false,
    execute: async () => 'sent',
  });
  const tools = new ToolRegistry([createPlanTool(() => h.agentOs.kernel), lookup, send]);

  /** A worker and a plan executor on `kernel`: one process's share of the work. */
  function startProcess(kernel: Kernel): () => Promise<void> {
    const worker = kernel.startWorker({ leaseMs: 2_000, pollMs: 20 });
    const executor = new PlanExecutor(kernel, { pollMs: 50 });
    executor.start();
    const stop = async () => {
      await executor.stop();
      await worker.stop();
    };
    stops.push(stop);
    return stop;
  }

  /** Polls the plan until `ready` holds (or fails after 20 s, showing the plan's state). */
  const planWhen = (planId: string, ready: (view: PlanView) => boolean): Promise<PlanView> =>
    eventually(
      async () => {
        const { body } = await h.api<PlanView>('GET', `/api/plans/${planId}`);
        if (!ready(body)) throw new Error(`plan not there yet: ${JSON.stringify(body.plan.status)}`);
        return body;
      },
      { timeoutMs: 20_000 },
    );

  const planEnd = (planId: string) =>
    planWhen(planId, (view) => ['succeeded', 'failed', 'cancelled'].includes(view.plan.status));

  const requestsFor = (tag: string) => model.requests.filter((request) => tagOf(request) === tag).length;
  const nodeOf = (view: PlanView, id: string) => view.nodes.find((node) => node.nodeId === id)!;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools,
      roles: ['api'],
    });
    await h.createAgent({ name: 'planner', instructions: 'You plan.', tools: ['create_plan', 'lookup'] });
    await h.createAgent({ name: 'worker', instructions: 'You work.', tools: [] });
    await h.createAgent({ name: 'rescuer', instructions: 'You rescue.', tools: [] });
    model.setHandler((request) => {
      const tag = tagOf(request);
      const scripted = tag === undefined ? undefined : behaviour.get(tag);
      if (scripted !== undefined) return scripted();
      return { text: `out-${tag ?? 'none'}`, delayMs: 100 };
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(() => {
    behaviour.clear();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('runs a plan written by a planner agent: dependencies in order, parallel branches at once', async () => {
    startProcess(h.agentOs.kernel);
    let planned = false;
    behaviour.set('planner', () => {
      if (planned) return { text: 'All done.' };
      planned = true;
      return { kind: 'tool_calls', toolCalls: [{ name: 'create_plan', arguments: diamond('p') }] };
    });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'planner',
      task: '[planner] Do the work with a plan',
    });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');
    const result = toolMessages(model, model.requests.length - 1)[0] ?? '';
    expect(result).toMatch(/"status":"succeeded"/);
    expect(result).toMatch(/"output":"out-p-d"/);

    const { body: listed } = await h.api<{ plans: PlanRecord[] }>('GET', '/api/plans');
    const plan = listed.plans.find((p) => p.parentRunId === done.id)!;
    const view = await planEnd(plan.id);
    expect(view.plan.status).toBe('succeeded');
    const runIds = view.nodes.map((node) => node.runId!);
    const { rows } = await h.agentOs.store.query<{
      id: string;
      started_at: Date;
      finished_at: Date;
      parent_run_id: string;
      input: { task: string };
    }>('SELECT id, started_at, finished_at, parent_run_id, input FROM runs WHERE id = ANY($1)', [runIds]);
    const runOf = (id: string) => rows.find((row) => row.id === nodeOf(view, id).runId)!;
    for (const node of diamond('p').nodes) {
      for (const dependency of node.dependsOn) {
        expect(runOf(node.id).started_at.getTime()).toBeGreaterThanOrEqual(
          runOf(dependency).finished_at.getTime(),
        );
      }
      expect(runOf(node.id).parent_run_id).toBe(done.id);
    }
    const [b1, b2] = [runOf('b1'), runOf('b2')];
    expect(b1.started_at.getTime()).toBeLessThan(b2.finished_at.getTime());
    expect(b2.started_at.getTime()).toBeLessThan(b1.finished_at.getTime());
    expect(runOf('d').input.task).toBe('[p-d] combine out-p-c1 and out-p-c2');
    expect(nodeOf(view, 'd').output).toBe('out-p-d');
  });

  it('gives an invalid plan back to the planner with the cycle, and creates nothing', async () => {
    startProcess(h.agentOs.kernel);
    let planned = false;
    const cyclic = {
      nodes: [
        { id: 'x', kind: 'agent', agent: 'worker', task: 'x', dependsOn: ['z'] },
        { id: 'y', kind: 'agent', agent: 'worker', task: 'y', dependsOn: ['x'] },
        { id: 'z', kind: 'agent', agent: 'worker', task: 'z', dependsOn: ['y'] },
      ],
    };
    behaviour.set('cyclic', () => {
      if (planned) return { text: 'I could not plan.' };
      planned = true;
      return { kind: 'tool_calls', toolCalls: [{ name: 'create_plan', arguments: cyclic }] };
    });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'planner',
      task: '[cyclic] Plan in a circle',
    });
    const done = await settle(h.agentOs.kernel, h.workspaceId, body.run.id);
    expect(done.status).toBe('succeeded');
    const result = toolMessages(model, model.requests.length - 1)[0] ?? '';
    expect(result).toMatch(/dependency cycle: x → y → z → x/);
    const { rows } = await h.agentOs.store.query('SELECT id FROM plans WHERE parent_run_id = $1', [done.id]);
    expect(rows).toHaveLength(0);
  });

  it('refuses invalid workflow files with every issue and its path', async () => {
    const bad = await h.api<{ error: { message: string; details: { issues: Array<{ path: string }> } } }>(
      'POST',
      '/api/plans',
      {
        nodes: [
          { id: 'a', kind: 'agent', agent: 'worker', dependsOn: ['ghost'] },
          { id: 's', kind: 'tool', tool: 'send', dependsOn: [] },
        ],
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((issue) => issue.path)).toEqual([
      'nodes.0.dependsOn.0',
      'nodes.0.task',
    ]);
    const notIdempotent = await h.api<{ error: { message: string } }>('POST', '/api/plans', {
      nodes: [{ id: 's', kind: 'tool', tool: 'send', dependsOn: [] }],
    });
    expect(notIdempotent.status).toBe(400);
    expect(notIdempotent.body.error.message).toMatch(/nodes\.0\.tool: tool "send" is not idempotent/);
    expect(() =>
      parsePlan({
        nodes: [{ id: 'a', kind: 'tool', tool: 'lookup', when: { node: 'b', status: 'failed' } }],
      }),
    ).toThrow(/nodes\.0\.when\.node: "b" must be one of the node's dependsOn/);
  });

  it('resumes a plan after its process stops, without re-running finished nodes', async () => {
    const stopFirst = startProcess(h.agentOs.kernel);
    for (const id of ['c1', 'c2']) behaviour.set(`k-${id}`, () => ({ text: `out-k-${id}`, delayMs: 3_000 }));
    const { body } = await h.api<PlanView>('POST', '/api/plans', diamond('k'));
    const planId = body.plan.id;
    const midway = await planWhen(
      planId,
      (now) => nodeOf(now, 'c1').status === 'running' && nodeOf(now, 'c2').status === 'running',
    );
    expect(nodeOf(midway, 'b2').status).toBe('succeeded');
    // c1 and c2 are mid model call when the process goes away.
    await eventually(() => expect([requestsFor('k-c1'), requestsFor('k-c2')]).toEqual([1, 1]));
    await stopFirst();
    behaviour.clear();
    const restarted = createKernel(h.agentOs.store, h.config, { tools, gateway: h.agentOs.kernel.gateway });
    startProcess(restarted);
    const view = await planEnd(planId);
    expect(view.plan.status).toBe('succeeded');
    for (const id of ['a', 'b1', 'b2', 'd']) expect(requestsFor(`k-${id}`)).toBe(1);
    for (const id of ['c1', 'c2']) expect(requestsFor(`k-${id}`)).toBeGreaterThanOrEqual(1);
    const { rows } = await h.agentOs.store.query('SELECT id FROM runs WHERE idempotency_key LIKE $1', [
      `plan:${planId}:%`,
    ]);
    expect(rows).toHaveLength(6);
    expect(view.nodes.every((node) => node.attempt === 1)).toBe(true);
  });

  it('links the run a dead executor created instead of starting a second one', async () => {
    const definition = parsePlan({
      nodes: [{ id: 'solo', kind: 'agent', agent: 'worker', task: '[solo] alone', dependsOn: [] }],
    });
    const plan = await createPlan(h.agentOs.store, { workspaceId: h.workspaceId, userId: null, definition });
    // The dead executor marked the node running and created its run, but died before linking it.
    await h.agentOs.store.query(
      "UPDATE plan_nodes SET status = 'running', attempt = 1, started_at = now() WHERE plan_id = $1",
      [plan.id],
    );
    const { rows } = await h.agentOs.store.query<{ id: string }>(
      "SELECT id FROM agents WHERE workspace_id = $1 AND name = 'worker'",
      [h.workspaceId],
    );
    const orphan = await createRun(h.agentOs.store, {
      workspaceId: h.workspaceId,
      agentId: rows[0]!.id,
      agentVersion: 1,
      userId: null,
      input: { task: '[solo] alone' },
      priority: 'standard',
      idempotencyKey: nodeAttemptKey(plan.id, 'solo', 1),
    });
    startProcess(h.agentOs.kernel);
    const view = await planEnd(plan.id);
    expect(view.plan.status).toBe('succeeded');
    expect(nodeOf(view, 'solo').runId).toBe(orphan.id);
    expect(requestsFor('solo')).toBe(1);
  });

  it('retries, hands the task to the fallback agent, then fails the plan with the reason', async () => {
    startProcess(h.agentOs.kernel);
    behaviour.set('flaky', () => ({ kind: 'error', status: 400, message: 'flaky broke' }));
    const { body } = await h.api<PlanView>('POST', '/api/plans', {
      nodes: [
        {
          id: 'flaky',
          kind: 'agent',
          agent: 'worker',
          task: '[flaky] try',
          retry: { maxAttempts: 2, backoffMs: 10 },
          fallbackAgent: 'rescuer',
        },
        { id: 'after', kind: 'agent', agent: 'worker', task: '[after] next', dependsOn: ['flaky'] },
      ],
    });
    const view = await planEnd(body.plan.id);
    expect(view.plan.status).toBe('failed');
    expect(view.plan.error?.message).toMatch(/^node "flaky" failed: run \S+ ended failed/);
    expect(view.plan.error?.details?.node).toBe('flaky');
    expect(nodeOf(view, 'flaky')).toMatchObject({ status: 'failed', attempt: 3 });
    expect(nodeOf(view, 'after').status).toBe('skipped');
    expect(requestsFor('after')).toBe(0);
    const { rows } = await h.agentOs.store.query<{ idempotency_key: string; name: string; task: string }>(
      `SELECT r.idempotency_key, a.name, r.input->>'task' AS task FROM runs r JOIN agents a ON a.id = r.agent_id
       WHERE r.idempotency_key LIKE $1 ORDER BY r.created_at`,
      [`plan:${body.plan.id}:%`],
    );
    expect(rows.map((row) => [row.idempotency_key.split(':').slice(2).join(':'), row.name])).toEqual([
      ['flaky:1', 'worker'],
      ['flaky:2', 'worker'],
      ['flaky:3', 'rescuer'],
    ]);
    expect(rows[2]?.task).toMatch(/^Agent "worker" failed this task after 2 attempt\(s\)/);
    const cli = await runCli(['plans', 'show', body.plan.id, '--url', h.url, '--api-key', h.key, '--json'], {
      cwd: tempHome(),
    });
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as PlanView).plan.error?.message).toMatch(/node "flaky" failed/);
  });

  it('skips a node whose condition does not hold and runs the one waiting for the failure', async () => {
    startProcess(h.agentOs.kernel);
    behaviour.set('check', () => ({ kind: 'error', status: 400, message: 'check failed' }));
    const file = join(tempHome(), 'workflow.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'conditional',
        nodes: [
          { id: 'check', kind: 'agent', agent: 'worker', task: '[check] check' },
          {
            id: 'onok',
            kind: 'agent',
            agent: 'worker',
            task: '[onok] go on',
            dependsOn: ['check'],
            when: { node: 'check', status: 'succeeded' },
          },
          {
            id: 'onfail',
            kind: 'agent',
            agent: 'worker',
            task: '[onfail] repair',
            dependsOn: ['check'],
            when: { node: 'check', status: 'failed' },
          },
          {
            id: 'define',
            kind: 'tool',
            tool: 'lookup',
            arguments: { word: '{{nodes.onfail.output}}' },
            dependsOn: ['onfail'],
          },
        ],
      }),
    );
    const cli = await runCli(['plans', 'run', file, '--url', h.url, '--api-key', h.key, '--json'], {
      cwd: tempHome(),
    });
    expect(cli.code).toBe(0);
    const view = JSON.parse(cli.stdout) as PlanView;
    expect(view.plan.status).toBe('succeeded');
    expect(view.nodes.map((node) => [node.nodeId, node.status])).toEqual([
      ['check', 'failed'],
      ['onok', 'skipped'],
      ['onfail', 'succeeded'],
      ['define', 'succeeded'],
    ]);
    expect(nodeOf(view, 'onok').error?.message).toMatch(/"check" failed, the condition needs it succeeded/);
    expect(nodeOf(view, 'define').output).toEqual({ definition: 'meaning of out-onfail' });
    expect(requestsFor('onok')).toBe(0);
    expect(looked).toBeGreaterThanOrEqual(1);
  });

  it('fails an agent node whose run outlives its timeout, and cancels that run', async () => {
    startProcess(h.agentOs.kernel);
    behaviour.set('sleepy', () => ({ text: 'too late', delayMs: 5_000 }));
    const { body } = await h.api<PlanView>('POST', '/api/plans', {
      nodes: [{ id: 'sleepy', kind: 'agent', agent: 'worker', task: '[sleepy] nap', timeoutMs: 300 }],
    });
    const view = await planEnd(body.plan.id);
    expect(view.plan.status).toBe('failed');
    expect(view.plan.error?.message).toMatch(/node "sleepy" failed: run \S+ timed out after 300 ms/);
    const run = await settle(h.agentOs.kernel, h.workspaceId, nodeOf(view, 'sleepy').runId!);
    expect(run.status).toBe('cancelled');
  });

  it('cancels a running plan and its runs', async () => {
    startProcess(h.agentOs.kernel);
    behaviour.set('slow', () => ({ text: 'late', delayMs: 5_000 }));
    const { body } = await h.api<PlanView>('POST', '/api/plans', {
      nodes: [{ id: 'slow', kind: 'agent', agent: 'worker', task: '[slow] wait' }],
    });
    await planWhen(body.plan.id, (now) => nodeOf(now, 'slow').runId !== null);
    const cancelled = await h.api<PlanView>('POST', `/api/plans/${body.plan.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.plan.status).toBe('cancelled');
    const run = await settle(h.agentOs.kernel, h.workspaceId, nodeOf(cancelled.body, 'slow').runId!);
    expect(run.status).toBe('cancelled');
    expect((await h.api('POST', `/api/plans/${body.plan.id}/cancel`)).status).toBe(409);
  });
});
