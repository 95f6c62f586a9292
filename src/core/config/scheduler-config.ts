import { z } from 'zod';

export const laneLimitsSchema = z.strictObject({
  /** Calls in flight at once for the whole deployment. */
  concurrency: z.number().int().min(1).max(100_000),
  /** Requests per minute for the whole deployment. */
  rpm: z.number().int().min(1).optional(),
  /** Prompt + completion tokens per minute for the whole deployment. */
  tpm: z.number().int().min(1).optional(),
});

export const schedulerConfigSchema = z.strictObject({
  /** Limits per provider (`openai`) or per model (`openai:gpt-4o`); the model entry wins. */
  lanes: z.record(z.string().min(1), laneLimitsSchema).default({}),
  /** Limits of a provider with no entry. */
  defaultLane: laneLimitsSchema.default({ concurrency: 64 }),
  /** A waiting background call counts as standard after this long, so it is never starved. */
  agingMs: z.number().int().min(100).max(3_600_000).default(10_000),
  /** Relative shares of the workspaces (default 1 each). */
  workspaceWeights: z.record(z.string(), z.number().positive()).default({}),
  maxRetries: z.number().int().min(0).max(20).default(6),
  /** Exponential backoff with full jitter for 5xx, timeouts and connection errors. */
  retryBaseDelayMs: z.number().int().min(1).max(60_000).default(250),
  retryMaxDelayMs: z.number().int().min(1).max(600_000).default(30_000),
  attemptTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
  /** Split the limits among the live processes that share the store. */
  coordinate: z.boolean().default(true),
});

export type LaneLimits = z.infer<typeof laneLimitsSchema>;
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;
