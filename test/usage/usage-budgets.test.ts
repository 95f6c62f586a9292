import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { Budget } from '../../src/plugins/usage/budget-repo.ts';
import type { Spend } from '../../src/plugins/usage/period-spend.ts';
import type { UsageReport } from '../../src/plugins/usage/usage-report.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type ShownBudget = Budget & { spent: Spend };

describe.each(storeTargets())('usage reports and budgets on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let member: TestMember;
  const agentIds = new Map<string, string>();

  const as = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const run = async (agent: string, task: string, key = h.key) =>
    (
      await as<{ run: RunRecord }>(key, 'POST', '/api/runs', {
        agent,
        task,
        wait: true,
        waitTimeoutMs: 20_000,
      })
    ).body.run;
  const answer = (text: string, promptTokens: number, completionTokens: number) =>
    model.enqueue({ text, usage: { promptTokens, completionTokens } });
  const setBudget = async (body: Record<string, unknown>) => {
    const response = await h.api<{ budget: ShownBudget }>('POST', '/api/budgets', body);
    expect(response.status).toBe(201);
    return response.body.budget;
  };
  const finishedEvent = async (runId: string) => {
    const { rows } = await h.agentOs.store.query<{ data: { status: string; error: { message: string } } }>(
      "SELECT data FROM run_events WHERE run_id = $1 AND type = 'run.finished'",
      [runId],
    );
    return rows[0]?.data;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
    });
    for (const name of ['writer', 'reviewer', 'budget-a', 'budget-b'])
      agentIds.set(name, await h.createAgent({ name, instructions: `You are ${name}.` }));
    member = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'u@example.com',
      name: 'Uma',
      role: 'user',
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('reports tokens, cost and calls that match the runs, by agent, user, workspace and day', async () => {
    answer('one', 100, 10);
    answer('two', 200, 20);
    answer('three', 300, 30);
    answer('mine', 50, 5);
    const runs = [
      await run('writer', 'first'),
      await run('writer', 'second'),
      await run('reviewer', 'third'),
      await run('writer', 'by a member', member.key),
    ];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // Cost is not zero in real deployments: give the runs a price as a priced model would have.
    await h.agentOs.store.query(
      `UPDATE runs SET usage = jsonb_set(usage, '{costUsd}', to_jsonb(((usage->>'inputTokens')::float8) / 1000))
        WHERE id = ANY($1::text[])`,
      [runs.map((r) => r.id)],
    );
    const stored = (await h.api<{ runs: RunRecord[] }>('GET', '/api/runs?limit=500')).body.runs;
    const sum = (list: RunRecord[]) => ({
      runs: list.length,
      inputTokens: list.reduce((n, r) => n + r.usage.inputTokens, 0),
      outputTokens: list.reduce((n, r) => n + r.usage.outputTokens, 0),
      costUsd: expect.closeTo(
        list.reduce((n, r) => n + r.usage.costUsd, 0),
        9,
      ),
      modelCalls: list.reduce((n, r) => n + r.usage.modelCalls, 0),
      toolCalls: list.reduce((n, r) => n + r.usage.toolCalls, 0),
    });
    expect(stored.reduce((n, r) => n + r.usage.inputTokens, 0)).toBeGreaterThanOrEqual(650);

    const byAgent = (await h.api<UsageReport>('GET', '/api/usage?groupBy=agent')).body;
    expect(byAgent.scope).toBe('workspace');
    for (const name of ['writer', 'reviewer']) {
      const agentId = agentIds.get(name);
      expect(byAgent.rows.find((row) => row.key === agentId)).toMatchObject({
        label: name,
        ...sum(stored.filter((r) => r.agentId === agentId)),
      });
    }
    expect(byAgent.total).toMatchObject(sum(stored));
    expect(byAgent.total.totalTokens).toBe(byAgent.total.inputTokens + byAgent.total.outputTokens);

    const byUser = (await h.api<UsageReport>('GET', '/api/usage?groupBy=user')).body;
    expect(byUser.rows.find((row) => row.key === member.id)).toMatchObject({
      label: 'Uma',
      ...sum(stored.filter((r) => r.userId === member.id)),
    });

    const byWorkspace = (await h.api<UsageReport>('GET', '/api/usage?groupBy=workspace')).body;
    expect(byWorkspace.rows).toEqual([expect.objectContaining({ key: h.workspaceId, ...sum(stored) })]);

    const today = new Date().toISOString().slice(0, 10);
    const byDay = (await h.api<UsageReport>('GET', `/api/usage?groupBy=day&from=${today}&to=${today}`)).body;
    expect(byDay.rows).toEqual([expect.objectContaining({ key: today, ...sum(stored) })]);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const empty = (
      await h.api<UsageReport>('GET', `/api/usage?groupBy=day&from=${yesterday}&to=${yesterday}`)
    ).body;
    expect(empty.rows).toEqual([]);
    expect((await h.api('GET', '/api/usage?groupBy=planet')).status).toBe(400);
  });

  it('shows a member only their own runs', async () => {
    const mine = await as<UsageReport>(member.key, 'GET', '/api/usage?groupBy=agent');
    expect(mine.status).toBe(200);
    expect(mine.body.scope).toBe('user');
    expect(mine.body.total.runs).toBe(1);
    expect(mine.body.total.inputTokens).toBe(50);
  });

  it('lets only admins manage budgets', async () => {
    const attempt = await as<{ error: { code: string } }>(member.key, 'POST', '/api/budgets', {
      period: 'day',
      limitUsd: 1,
    });
    expect(attempt.status).toBe(403);
    expect(attempt.body.error.code).toBe('auth.forbidden');
    expect((await as(member.key, 'GET', '/api/budgets')).status).toBe(403);
    expect((await h.api('POST', '/api/budgets', { period: 'week', limitUsd: 1 })).status).toBe(400);
    expect((await h.api('POST', '/api/budgets', { period: 'day' })).status).toBe(400);
    expect(
      (await h.api('POST', '/api/budgets', { period: 'day', agent: 'nobody', limitUsd: 1 })).status,
    ).toBe(404);
  });

  it("stops an agent's next run before any model request once its budget is spent, and not another agent's", async () => {
    const budget = await setBudget({ agent: 'budget-a', period: 'day', limitTokens: 100 });
    expect(budget).toMatchObject({ agentName: 'budget-a', period: 'day', limitTokens: 100, limitUsd: null });
    expect(budget.spent).toEqual({ costUsd: 0, tokens: 0 });

    answer('spent it all', 140, 10);
    const first = await run('budget-a', 'spend');
    expect(first.status).toBe('succeeded');
    const requestsBefore = model.requests.length;

    const second = await run('budget-a', 'spend more');
    expect(second.status).toBe('budget_exceeded');
    expect(second.error).toMatchObject({
      code: 'run.budget_exceeded',
      message: 'agent "budget-a" daily budget of 100 tokens reached',
      details: { scope: 'agent', period: 'day', limitTokens: 100, spentTokens: 150 },
    });
    expect(second.usage.modelCalls).toBe(0);
    expect(model.requests.length).toBe(requestsBefore);
    expect(await finishedEvent(second.id)).toMatchObject({
      status: 'budget_exceeded',
      error: { message: 'agent "budget-a" daily budget of 100 tokens reached' },
    });

    answer('still fine', 10, 1);
    const other = await run('budget-b', 'unaffected');
    expect(other.status).toBe('succeeded');
    expect(model.requests.length).toBe(requestsBefore + 1);

    const listed = (await h.api<{ budgets: ShownBudget[] }>('GET', '/api/budgets')).body.budgets;
    expect(listed).toEqual([expect.objectContaining({ id: budget.id, spent: { costUsd: 0, tokens: 150 } })]);
    expect((await h.api('DELETE', `/api/budgets/${budget.id}`)).status).toBe(200);
    expect((await h.api('DELETE', `/api/budgets/${budget.id}`)).status).toBe(404);
    answer('allowed again', 10, 1);
    expect((await run('budget-a', 'after removal')).status).toBe('succeeded');
  });

  it('stops every agent of the workspace once the workspace budget in USD is reached', async () => {
    const report = (await h.api<UsageReport>('GET', '/api/usage?groupBy=workspace')).body;
    const budget = await setBudget({
      period: 'month',
      limitUsd: Math.round(report.total.costUsd * 100 + 50) / 100,
    });
    answer('under the limit', 10, 1);
    expect((await run('budget-b', 'fine')).status).toBe('succeeded');
    // A priced model's spend, as the journal would have recorded it.
    const { rows } = await h.agentOs.store.query<{ id: string }>(
      `UPDATE runs SET usage = jsonb_set(usage, '{costUsd}', to_jsonb(5.0))
        WHERE id = (SELECT id FROM runs WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 1) RETURNING id`,
      [h.workspaceId],
    );
    expect(rows).toHaveLength(1);
    const requestsBefore = model.requests.length;
    const stopped = await run('budget-b', 'too much');
    expect(stopped.status).toBe('budget_exceeded');
    expect(stopped.error?.message).toBe(
      `workspace monthly budget of $${budget.limitUsd!.toFixed(2)} reached`,
    );
    expect(model.requests.length).toBe(requestsBefore);
    const again = await setBudget({ period: 'month', limitUsd: 1_000 });
    expect(again.id).toBe(budget.id);
    answer('raised', 10, 1);
    expect((await run('budget-a', 'raised limit')).status).toBe('succeeded');
  });

  it('stops a run between its model calls when its own calls spend the budget', async () => {
    await setBudget({ agent: 'budget-b', period: 'month', limitTokens: 10_000 });
    const spent = (await h.api<{ budgets: ShownBudget[] }>('GET', '/api/budgets')).body.budgets.find(
      (b) => b.agentName === 'budget-b',
    )!.spent.tokens;
    await setBudget({ agent: 'budget-b', period: 'month', limitTokens: spent + 100 });
    model.enqueue({
      kind: 'tool_calls',
      toolCalls: [{ name: 'missing_tool', arguments: {} }],
      usage: { promptTokens: 150, completionTokens: 5 },
    });
    const requestsBefore = model.requests.length;
    const stopped = await run('budget-b', 'two turns');
    expect(stopped.status).toBe('budget_exceeded');
    expect(stopped.usage.modelCalls).toBe(1);
    expect(model.requests.length).toBe(requestsBefore + 1);
    expect(stopped.error?.message).toBe(`agent "budget-b" monthly budget of ${spent + 100} tokens reached`);
  });
});
