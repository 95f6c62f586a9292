import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { activeTracer } from '../../src/plugins/telemetry/tracing.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { type CollectedSpan, type OtlpCollector, startOtlpCollector } from './otlp-collector.ts';

const SECRET_TASK = 'Look up the weather in Zanzibar-7731';
const SECRET_ANSWER = 'It is sunny in Zanzibar-7731';

const tools = new ToolRegistry([
  defineTool({
    name: 'weather_lookup',
    description: 'Looks up the weather of a city',
    inputSchema: z.object({ city: z.string() }),
    idempotent: true,
    effect: 'read',
    trustedOutput: true,
    execute: async ({ city }) => {
      if (city === 'Atlantis') throw new Error('no such city');
      return { city, sky: 'sunny' };
    },
  }),
]);

const OTEL_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_BSP_SCHEDULE_DELAY'] as const;

async function runOnce(h: KernelHarness, model: ScriptedModelServer): Promise<RunRecord> {
  model.enqueue(
    {
      kind: 'tool_calls',
      toolCalls: [
        { id: 'call_ok', name: 'weather_lookup', arguments: { city: 'Zanzibar' } },
        { id: 'call_bad', name: 'weather_lookup', arguments: { city: 'Atlantis' } },
      ],
      usage: { promptTokens: 120, completionTokens: 30 },
    },
    { text: SECRET_ANSWER, usage: { promptTokens: 200, completionTokens: 12 } },
  );
  const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
    agent: 'forecaster',
    task: SECRET_TASK,
    wait: true,
    waitTimeoutMs: 20_000,
  });
  return body.run;
}

function spansOf(collector: OtlpCollector, runId: string, count: number): Promise<CollectedSpan[]> {
  return eventually(
    () => {
      const traceIds = new Set(
        collector.spans.filter((s) => s.attributes['agent_os.run.id'] === runId).map((s) => s.traceId),
      );
      const spans = collector.spans.filter((s) => traceIds.has(s.traceId));
      if (spans.length < count)
        throw new Error(
          `expected ${count} spans of run ${runId}, got ${collector.spans.length} spans in all`,
        );
      return spans;
    },
    { timeoutMs: 5_000 },
  );
}

describe.each(storeTargets())('run tracing over OTLP on $kind', (target) => {
  let model: ScriptedModelServer;
  let collector: OtlpCollector;
  let h: KernelHarness;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    process.env.OTEL_SERVICE_NAME = 'agent-os-under-test';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    model = await startScriptedModelServer();
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({
      name: 'forecaster',
      instructions: 'Report the weather.',
      tools: ['weather_lookup'],
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    for (const name of OTEL_VARS) delete process.env[name];
    await model.close();
    await collector.close();
  });

  it('exports run, step, chat and execute_tool spans with GenAI attributes and parentage', async () => {
    expect(h.agentOs.tracing.enabled).toBe(true);
    const run = await runOnce(h, model);
    expect(run.status).toBe('succeeded');
    await h.agentOs.tracing.flush();
    // agent.run, 2 × agent.step, 2 × chat, 2 × execute_tool
    const spans = await spansOf(collector, run.id, 7);
    expect(collector.requests.every((r) => r.path === '/v1/traces')).toBe(true);
    expect(collector.requests[0]?.contentType).toContain('application/json');
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);

    const runSpan = spans.find((s) => s.name === 'agent.run')!;
    expect(runSpan.parentSpanId).toBeUndefined();
    expect(runSpan.resource['service.name']).toBe('agent-os-under-test');
    expect(runSpan.attributes).toMatchObject({
      'agent_os.run.id': run.id,
      'agent_os.run.attempt': run.attempt,
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.id': run.agentId,
      'gen_ai.agent.name': 'forecaster',
      'agent_os.agent.version': 1,
      'agent_os.workspace.id': h.workspaceId,
      'agent_os.user.id': run.userId,
      'agent_os.run.status': 'succeeded',
      'gen_ai.usage.input_tokens': 320,
      'gen_ai.usage.output_tokens': 42,
    });

    const steps = spans.filter((s) => s.name === 'agent.step');
    expect(steps.map((s) => s.attributes['agent_os.step.turn']).sort()).toEqual([0, 1]);
    for (const step of steps) expect(step.parentSpanId).toBe(runSpan.spanId);
    const stepOf = (turn: number) => steps.find((s) => s.attributes['agent_os.step.turn'] === turn)!;

    const chats = spans.filter((s) => s.name === 'chat test-model');
    expect(chats).toHaveLength(2);
    const [first, second] = [0, 1].map((turn) => chats.find((c) => c.parentSpanId === stepOf(turn).spanId)!);
    expect(first?.kind).toBe(3);
    expect(first?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.system': 'scripted',
      'gen_ai.request.model': 'test-model',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['tool-calls'],
      'agent_os.run.id': run.id,
    });
    // The kernel leaves the reply's length to the provider's default: no gen_ai.request.max_tokens to report.
    expect(first?.attributes['gen_ai.request.max_tokens']).toBeUndefined();
    expect(second?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 200,
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.response.finish_reasons': ['stop'],
    });

    const toolSpans = spans.filter((s) => s.name === 'execute_tool weather_lookup');
    expect(toolSpans).toHaveLength(2);
    for (const span of toolSpans) {
      expect(span.parentSpanId).toBe(stepOf(0).spanId);
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'weather_lookup',
        'gen_ai.tool.type': 'function',
        'agent_os.tool.effect': 'read',
        'agent_os.tool.idempotent': true,
        'agent_os.policy.decision': 'allow',
        'agent_os.policy.rule_id': 'default.allow',
      });
    }
    const ok = toolSpans.find((s) => s.attributes['gen_ai.tool.call.id'] === 'call_ok')!;
    const bad = toolSpans.find((s) => s.attributes['gen_ai.tool.call.id'] === 'call_bad')!;
    expect(ok.statusCode).toBe(0);
    expect(bad.statusCode).toBe(2);
    expect(bad.attributes['error.type']).toBe('executed');

    // No prompt or answer content leaves the process by default.
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain('Zanzibar-7731');
    expect(everything).not.toContain('Report the weather');
  });

  it('marks the run span failed when the run fails', async () => {
    model.enqueue({ kind: 'error', status: 400, message: 'bad request' });
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'forecaster',
      task: 'fail please',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    expect(body.run.status).toBe('failed');
    await h.agentOs.tracing.flush();
    const spans = await spansOf(collector, body.run.id, 3);
    const runSpan = spans.find((s) => s.name === 'agent.run')!;
    expect(runSpan.statusCode).toBe(2);
    expect(runSpan.attributes['error.type']).toBe('model.provider_error');
    const chat = spans.find((s) => s.name === 'chat test-model')!;
    expect(chat.statusCode).toBe(2);
    expect(chat.attributes['error.type']).toBe('model.provider_error');
  });
});

describe.each(storeTargets())('tracing off by default on $kind', (target) => {
  it('creates no exporter and sends nothing when no OTEL_* variable is set', async () => {
    const collector = await startOtlpCollector();
    const model = await startScriptedModelServer();
    const h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    try {
      await h.createAgent({
        name: 'forecaster',
        instructions: 'Report the weather.',
        tools: ['weather_lookup'],
      });
      expect(h.agentOs.tracing.enabled).toBe(false);
      expect(h.agentOs.tracing.config.reason).toBe('no OTLP endpoint is configured');
      expect(activeTracer()).toBeUndefined();
      // The API's global tracer is the no-op one: spans made through it record nothing.
      expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
      const run = await runOnce(h, model);
      expect(run.status).toBe('succeeded');
      await h.agentOs.tracing.flush();
    } finally {
      await h.agentOs.stop();
      await model.close();
    }
    // flush() and stop() wait for every export in flight: anything sent would have arrived by now.
    expect(collector.requests).toHaveLength(0);
    await collector.close();
  });
});
