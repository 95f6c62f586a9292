import { z } from 'zod';
import { handoffSchema } from './handoff.ts';

/**
 * The run journal's persisted format. Bump JOURNAL_VERSION when a payload changes shape and teach
 * `readModelResult` / `readToolResult` to read the old one; fixtures of every version live in
 * test/kernel/fixtures and are replayed in tests. v2 stores each step under its registered kind's name
 * (a plugin's kinds included: `conversation.summary`); v1 stored a closed set of names (journal-check.ts).
 */
export const JOURNAL_VERSION = 2;

export const toolCallRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The raw JSON text the model produced; parsed and validated only when the call runs. */
  argumentsText: z.string(),
});
export type ToolCallRecord = z.infer<typeof toolCallRecordSchema>;

export const modelResultSchema = z.object({
  v: z.literal(1),
  text: z.string(),
  toolCalls: z.array(toolCallRecordSchema),
  finishReason: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type ModelResult = z.infer<typeof modelResultSchema>;

export const toolResultSchema = z.object({
  v: z.literal(1),
  output: z.unknown(),
  isError: z.boolean(),
  /** How it was obtained: executed now, reconciled after a crash, or decided by a person. */
  via: z.enum(['executed', 'reconciled', 'decision', 'rejected']),
  /** Information-flow label of the output (absent in journals before labels: recomputed from the tool). */
  label: z.enum(['trusted', 'untrusted']).optional(),
});
export type ToolResult = z.infer<typeof toolResultSchema>;

export const runInputSchema = z.object({
  task: z.string(),
  /** A sub-agent's share of its parent's remaining budget; tightens the agent's own limits. */
  budget: z.object({ maxTokens: z.number().optional(), maxCostUsd: z.number().optional() }).optional(),
  /** The task carries content from outside (a webhook payload): the run is tainted from its first call. */
  untrusted: z.boolean().optional(),
  /** What the delegating agent handed over (run_agent): goal, work done, decisions, open questions, artefacts. */
  handoff: handoffSchema.optional(),
  /**
   * A reply in a conversation: the message it answers (its seq, fixed at submit) and the runs answering the
   * same message before it. The prompt's history is derived from these alone, so a replay rebuilds it exactly.
   */
  conversation: z
    .object({
      id: z.string(),
      seq: z.number().int().positive(),
      after: z.array(z.string()),
      /** The run that handed this one the message (hand_off): it answers in the same thread, seeing the message. */
      handedOffBy: z.string().optional(),
    })
    .optional(),
});
export type RunInput = z.infer<typeof runInputSchema>;

export function readModelResult(value: unknown): ModelResult {
  return modelResultSchema.parse(value);
}

export function readToolResult(value: unknown): ToolResult {
  return toolResultSchema.parse(value);
}
