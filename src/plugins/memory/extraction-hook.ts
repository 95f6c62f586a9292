import { readModelResult } from '../../core/kernel/journal-format.ts';
import type { AnswerHook } from '../../core/kernel/kernel-plugin.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import type { StepKind } from '../../core/kernel/step-kinds.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { extractionPrompt, parseExtraction, storeExtractedMemories } from './run-extraction.ts';

/** call_index (at the final turn, after the answer) of the end-of-run extraction. */
export const EXTRACTION_CALL_INDEX = 1_000_000;
export const EXTRACTION_STEP_KINDS: readonly StepKind[] = [
  { name: 'extraction', callIndex: EXTRACTION_CALL_INDEX, readResult: readModelResult },
];

/** More a run's extraction reads besides its transcript (a conversation's messages since the last one). */
export type ThreadReader = (
  store: Store,
  run: RunRecord,
) => Promise<{ window: unknown; messages: string[] } | undefined>;

/**
 * End-of-run extraction of conclusions into memories, as an answer hook; a failure costs the memories,
 * never the run. With a thread reader it also reads the messages since the last extraction (a step
 * journaled before that reading existed keeps its prompt).
 */
export function extractionHook(threadOf?: ThreadReader): AnswerHook {
  return async (ctx) => {
    const { run, def, turn } = ctx;
    if (!def.memory.extract || !ctx.withinBudget()) return undefined;
    const done = ctx.recorded(turn, EXTRACTION_CALL_INDEX);
    const thread =
      (done?.status === 'completed' && done.input == null) || threadOf === undefined
        ? undefined
        : await threadOf(ctx.store, run);
    const result = await ctx.modelStep(
      EXTRACTION_CALL_INDEX,
      extractionPrompt(run.input.task, ctx.messages, ctx.answer, thread?.messages),
      { tools: [], priority: 'background' },
      (inputsHash, result, cost) => {
        const { memories, problem } = parseExtraction(result.text);
        return ctx.journal.recordModelStep(turn, def.model, inputsHash, result, cost, {
          kind: 'extraction',
          callIndex: EXTRACTION_CALL_INDEX,
          input: thread === undefined ? null : { conversation: thread.window },
          event: {
            type: 'memory.extracted',
            data: { turn, memories: memories.length, ...(problem === undefined ? {} : { problem }) },
          },
        });
      },
    );
    if ('text' in result)
      await storeExtractedMemories(ctx.store, run, turn, parseExtraction(result.text).memories, ctx.tainted);
    return undefined;
  };
}
