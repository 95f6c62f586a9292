import { type Tracer, trace } from '@opentelemetry/api';
import { type TracingConfig, tracingConfigFromEnv } from './otel-config.ts';

export interface TracingHandle {
  readonly config: TracingConfig;
  /** True when this process exports spans over OTLP. */
  readonly enabled: boolean;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Flushes and, for the last user in the process, shuts the provider down. */
  shutdown(): Promise<void>;
}

interface ActiveProvider {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  users: number;
}

/** The process's tracer provider, shared by every Agent OS started in it (tests start several). */
let active: ActiveProvider | undefined;
let starting: Promise<ActiveProvider> | undefined;

/** The tracer spans are made with, or undefined when tracing is off (then nothing is recorded at all). */
export function activeTracer(): Tracer | undefined {
  return active?.tracer;
}

async function createProvider(config: TracingConfig, serviceVersion: string): Promise<ActiveProvider> {
  // Loaded only when tracing is on: a process without OTEL_* settings never loads the SDK or an exporter.
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, semconv] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: config.serviceName,
      [semconv.ATTR_SERVICE_VERSION]: serviceVersion,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(config.url === undefined ? {} : { url: config.url }),
        ...config.batch,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer('agent-os', serviceVersion),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      trace.disable();
      await provider.shutdown();
    },
    users: 0,
  };
}

const OFF: Omit<TracingHandle, 'config'> = {
  enabled: false,
  flush: async () => {},
  shutdown: async () => {},
};

/** Runs a flush or shutdown; an unreachable collector costs the spans, never the caller's shutdown. */
async function quietly(
  what: string,
  work: () => Promise<void>,
  log: (message: string) => void,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const errors = Array.isArray(error) ? error : [error];
    log(
      `tracing: ${what} failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`,
    );
  }
}

/** Starts OTLP tracing when the `OTEL_*` variables ask for it (see otel-config.ts); a no-op handle otherwise. */
export async function startTracing(
  options: { env?: NodeJS.ProcessEnv; serviceVersion?: string; log?: (message: string) => void } = {},
): Promise<TracingHandle> {
  const log = options.log ?? (() => {});
  const config = tracingConfigFromEnv(options.env ?? process.env);
  if (!config.enabled) return { ...OFF, config };
  if (active === undefined) {
    starting ??= createProvider(config, options.serviceVersion ?? 'unknown');
    try {
      active = await starting;
    } finally {
      starting = undefined;
    }
  }
  const provider = active;
  provider.users++;
  let closed = false;
  return {
    config,
    enabled: true,
    flush: () => quietly('flush', provider.flush, log),
    shutdown: async () => {
      if (closed) return;
      closed = true;
      provider.users--;
      if (provider.users > 0 || active !== provider) return quietly('flush', provider.flush, log);
      active = undefined;
      await quietly('shutdown', provider.shutdown, log);
    },
  };
}
