import { describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from '../../src/plugins/telemetry/otel-config.ts';
import { activeTracer, startTracing } from '../../src/plugins/telemetry/tracing.ts';

describe('tracing configuration from OTEL_* variables', () => {
  it('is off without an OTLP destination, with the default service name', () => {
    expect(tracingConfigFromEnv({})).toMatchObject({ enabled: false, serviceName: 'agent-os' });
  });

  it('is on with a generic or a traces endpoint, or OTEL_TRACES_EXPORTER=otlp', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).enabled).toBe(true);
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).enabled,
    ).toBe(true);
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318',
        OTEL_SERVICE_NAME: 'billing-agents',
      }).serviceName,
    ).toBe('billing-agents');
  });

  it('sends to the traces endpoint as given, or to the generic one with /v1/traces appended', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }).url).toBe(
      'http://127.0.0.1:4318/v1/traces',
    );
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9999/custom',
      }).url,
    ).toBe('http://127.0.0.1:9999/custom');
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }).url).toBeUndefined();
  });

  it('respects OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none over an endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toMatchObject({
      enabled: false,
      reason: 'OTEL_SDK_DISABLED is true',
    });
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' }).reason).toContain(
      'only otlp',
    );
  });

  it('reads the batch processor settings and ignores malformed ones', () => {
    expect(
      tracingConfigFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'lots' }).batch,
    ).toEqual({ scheduledDelayMillis: 200 });
  });

  it('starts no provider when off, and one shared provider while any user holds it', async () => {
    const off = await startTracing({ env: {} });
    expect(off.enabled).toBe(false);
    expect(activeTracer()).toBeUndefined();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };
    const a = await startTracing({ env });
    const b = await startTracing({ env });
    const tracer = activeTracer();
    expect(tracer).toBeDefined();
    await a.shutdown();
    expect(activeTracer()).toBe(tracer);
    await b.shutdown();
    expect(activeTracer()).toBeUndefined();
  });

  it('never fails a shutdown because the collector is unreachable: it logs what was lost', async () => {
    const logged: string[] = [];
    // The exporter reads its timeout from the process environment itself.
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '300';
    const handle = await startTracing({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
      log: (message) => logged.push(message),
    });
    activeTracer()?.startSpan('lost').end();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
    expect(logged.join('\n')).toMatch(/^tracing: shutdown failed: /);
  });
});
