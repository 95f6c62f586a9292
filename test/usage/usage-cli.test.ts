import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport } from '../../src/plugins/usage/usage-report.ts';
import { runCli, startCli } from '../support/run-cli.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';
import { type OtlpCollector, startOtlpCollector } from '../telemetry/otlp-collector.ts';

interface ShownBudget {
  id: string;
  agentName: string | null;
  period: string;
  limitTokens: number | null;
  spent: { costUsd: number; tokens: number };
}

describe('agentos usage and budgets against `agentos serve` with tracing on', () => {
  let model: ScriptedModelServer;
  let collector: OtlpCollector;
  let cwd: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startCli>>;
  const agentos = async (...args: string[]) => runCli([...args, '--url', url], { cwd, env });
  const json = async <T>(...args: string[]) => {
    const result = await agentos(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    collector = await startOtlpCollector();
    cwd = tempHome();
    env = {
      PORT: '0',
      AGENTOS_COMPATIBLE_NAME: 'scripted',
      AGENTOS_COMPATIBLE_BASE_URL: model.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'agentos-serve-test',
      // Nothing is exported on a timer during the test: only the SIGTERM flush can deliver the spans.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    };
    server = await startCli(['serve', '--json'], { cwd, env, until: /"event":"listening"/ });
    url = (JSON.parse(server.output().trim().split('\n').at(-1)!) as { url: string }).url;
    const created = await agentos(
      'agents',
      'create',
      '--name',
      'greeter',
      '--description',
      'Greets',
      '--model',
      'scripted:test-model',
    );
    expect(created.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await model.close();
    await collector.close();
  });

  it('reports usage, enforces a budget set from the CLI, and flushes spans on SIGTERM', async () => {
    model.enqueue({ text: 'Hello!', usage: { promptTokens: 40, completionTokens: 2 } });
    expect((await agentos('run', 'greeter', 'Say hello')).code).toBe(0);

    const report = await json<UsageReport>('usage', '--by', 'agent');
    expect(report.rows).toEqual([
      expect.objectContaining({
        label: 'greeter',
        runs: 1,
        inputTokens: 40,
        outputTokens: 2,
        totalTokens: 42,
      }),
    ]);
    const byDay = await agentos('usage', '--by', 'day');
    expect(byDay.stdout).toContain(new Date().toISOString().slice(0, 10));
    expect(byDay.stdout).toContain('total: 1 runs, 42 tokens');
    expect((await agentos('usage', '--by', 'planet')).code).toBe(2);

    const set = await json<{ budget: ShownBudget }>(
      'budgets',
      'set',
      '--agent',
      'greeter',
      '--period',
      'day',
      '--tokens',
      '40',
    );
    expect(set.budget).toMatchObject({ agentName: 'greeter', period: 'day', limitTokens: 40 });
    expect((await agentos('budgets', 'set', '--period', 'day')).code).toBe(2);
    const listed = await json<{ budgets: ShownBudget[] }>('budgets', 'list');
    expect(listed.budgets).toEqual([
      expect.objectContaining({ id: set.budget.id, spent: { costUsd: 0, tokens: 42 } }),
    ]);
    const human = await agentos('budgets', 'list');
    expect(human.stdout).toContain('agent "greeter" daily budget');

    const requests = model.requests.length;
    const refused = await agentos('run', 'greeter', 'Say hello again');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('budget_exceeded: agent "greeter" daily budget of 40 tokens reached');
    expect(model.requests.length).toBe(requests);

    expect((await json<{ deleted: string }>('budgets', 'rm', set.budget.id)).deleted).toBe(set.budget.id);
    expect((await json<{ budgets: ShownBudget[] }>('budgets', 'list')).budgets).toEqual([]);

    expect(collector.spans).toEqual([]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const names = collector.spans.map((span) => span.name);
    expect(names.filter((name) => name === 'agent.run')).toHaveLength(2);
    expect(names).toContain('chat test-model');
    expect(collector.spans.every((span) => span.resource['service.name'] === 'agentos-serve-test')).toBe(
      true,
    );
    const refusedRun = collector.spans.find(
      (span) => span.name === 'agent.run' && span.attributes['agent_os.run.status'] === 'budget_exceeded',
    );
    expect(refusedRun?.attributes['error.type']).toBe('run.budget_exceeded');
  }, 180_000);
});
