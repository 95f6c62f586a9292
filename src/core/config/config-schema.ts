import { z } from 'zod';
import { modelNameSchema } from './model-name.ts';
import { schedulerConfigSchema } from './scheduler-config.ts';

const port = z.coerce.number().int().min(0).max(65_535);

const openAiCompatibleProvider = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes, starting with a letter'),
  baseURL: z.url(),
  apiKey: z.string().optional(),
});

/** `api.example.com`, `*.example.com` (subdomains), `127.0.0.1:8080` (that port only), `[::1]:8080`. */
const egressHost = z
  .string()
  .regex(
    /^((\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/,
    'a host name, *.domain or host:port',
  );

export const configSchema = z.strictObject({
  home: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  host: z.string().min(1),
  port,
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  providers: z.strictObject({
    openai: z.strictObject({ apiKey: z.string().min(1), baseURL: z.url().optional() }).optional(),
    anthropic: z.strictObject({ apiKey: z.string().min(1), baseURL: z.url().optional() }).optional(),
    compatible: z.array(openAiCompatibleProvider),
  }),
  worker: z.strictObject({
    /** Runs one worker process drives at once. */
    concurrency: z.coerce.number().int().min(1).max(10_000),
    /** How long a claimed run stays owned without a heartbeat. */
    leaseMs: z.coerce.number().int().min(500).max(3_600_000),
    pollMs: z.coerce.number().int().min(10).max(60_000),
  }),
  scheduler: schedulerConfigSchema.default(() => schedulerConfigSchema.parse({})),
  tools: z
    .strictObject({
      httpFetch: z
        .strictObject({
          /** Hosts http_fetch may reach: one list for every workspace, or lists by workspace id (`*`: all). */
          allowHosts: z.union([z.array(egressHost), z.record(z.string(), z.array(egressHost))]).default([]),
        })
        .default({ allowHosts: [] }),
    })
    .optional(),
  memory: z
    .strictObject({
      /** How often a worker process consolidates memories (merge, expire, recent-decisions); 0 disables. */
      consolidateEveryMs: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
      /** `<provider>:<model>` of a text-embedding model; retrieval adds vector similarity when set. */
      embeddingModel: modelNameSchema.optional(),
    })
    .default({ consolidateEveryMs: 600_000 }),
  audit: z
    .strictObject({
      /** Where each signed checkpoint is also appended, outside the database (default `<home>/audit-anchors.log`). */
      anchorFile: z.string().trim().min(1).optional(),
    })
    .optional(),
  orchestration: z
    .strictObject({
      /** Picks an agent for a run submitted without one (default: the workspace's first agent's model). */
      routerModel: z.string().min(1).optional(),
      /** Deliveries one webhook trigger accepts per API process: `perMinute` on average, `burst` at once. */
      webhookRate: z
        .strictObject({
          perMinute: z.coerce.number().min(1).max(1_000_000),
          burst: z.coerce.number().int().min(1).max(1_000_000),
        })
        .optional(),
    })
    .optional(),
  conversations: z
    .strictObject({
      /** The most bytes one upload of files to a conversation may carry, all its files together (default 20 MB). */
      maxUploadBytes: z.coerce
        .number()
        .int()
        .min(1_024)
        .max(1024 * 1024 * 1024)
        .optional(),
    })
    .optional(),
});

export type AgentOsConfig = z.output<typeof configSchema>;
export type AgentOsConfigInput = z.input<typeof configSchema>;
export type CompatibleProviderConfig = z.infer<typeof openAiCompatibleProvider>;
