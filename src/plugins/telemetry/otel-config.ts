import { z } from 'zod';

/** What the standard `OTEL_*` variables ask of tracing; the exporter reads its own (endpoint, headers). */
export interface TracingConfig {
  enabled: boolean;
  serviceName: string;
  /** Where spans go, from the given variables; undefined leaves it to the exporter's default. */
  url?: string;
  /** The batch span processor's `OTEL_BSP_*` settings, where set. */
  batch: { scheduledDelayMillis?: number; maxQueueSize?: number; maxExportBatchSize?: number };
  /** Why tracing is off; undefined when it is on. */
  reason?: string;
}

const positiveInt = z.coerce.number().int().positive().optional().catch(undefined);

const envSchema = z.object({
  OTEL_SDK_DISABLED: z.string().optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_BSP_SCHEDULE_DELAY: positiveInt,
  OTEL_BSP_MAX_QUEUE_SIZE: positiveInt,
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: positiveInt,
});

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Tracing is on only when an OTLP destination is configured (an endpoint, or `OTEL_TRACES_EXPORTER=otlp`
 * for the SDK's default one) and `OTEL_SDK_DISABLED` is not true; `OTEL_TRACES_EXPORTER=none` turns it off.
 */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const vars = envSchema.parse(env);
  const serviceName = present(vars.OTEL_SERVICE_NAME) ? vars.OTEL_SERVICE_NAME.trim() : 'agent-os';
  const batch = {
    ...(vars.OTEL_BSP_SCHEDULE_DELAY === undefined
      ? {}
      : { scheduledDelayMillis: vars.OTEL_BSP_SCHEDULE_DELAY }),
    ...(vars.OTEL_BSP_MAX_QUEUE_SIZE === undefined ? {} : { maxQueueSize: vars.OTEL_BSP_MAX_QUEUE_SIZE }),
    ...(vars.OTEL_BSP_MAX_EXPORT_BATCH_SIZE === undefined
      ? {}
      : { maxExportBatchSize: vars.OTEL_BSP_MAX_EXPORT_BATCH_SIZE }),
  };
  const off = (reason: string): TracingConfig => ({ enabled: false, serviceName, batch, reason });
  if (vars.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return off('OTEL_SDK_DISABLED is true');
  const exporters = (vars.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return off('OTEL_TRACES_EXPORTER is none');
  if (exporters.length > 0 && !exporters.includes('otlp')) {
    return off(`OTEL_TRACES_EXPORTER=${exporters.join(',')} is not supported (only otlp)`);
  }
  // The signal-specific endpoint is used as given; the generic one gets the traces path appended (OTLP spec).
  if (present(vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    return { enabled: true, serviceName, batch, url: vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.trim() };
  }
  if (present(vars.OTEL_EXPORTER_OTLP_ENDPOINT)) {
    const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT.trim().replace(/\/+$/, '');
    return { enabled: true, serviceName, batch, url: `${base}/v1/traces` };
  }
  if (exporters.includes('otlp')) return { enabled: true, serviceName, batch };
  return off('no OTLP endpoint is configured');
}
