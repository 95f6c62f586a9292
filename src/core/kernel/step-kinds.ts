import { AgentOsError } from '../errors/agent-os-error.ts';
import { contextSnapshotSchema } from './context-builder.ts';
import { readModelResult, readToolResult } from './journal-format.ts';

/**
 * A kind of journal step and the call indices it occupies at its turn: `[callIndex, callIndex + span)`.
 * The journal keys every step by (turn, call index), so each kind owns a range; the kernel owns its own
 * (model call, compaction, starting context, tool calls) and each plugin declares the ones it writes, so
 * a new kind cannot silently reuse another's index. Journal v2 stores `name` as the step's kind; v1 stored
 * the kernel's closed set of names, so a kind that v1 wrote under another name says which (`v1Name`).
 */
export interface StepKind {
  /** Lower-case, dot-separated for a plugin's own kinds (`conversation.summary`). */
  name: string;
  callIndex: number;
  /** How many consecutive indices it may use (1 unless it numbers several calls, like tool calls). */
  span?: number;
  /** The kind journal v1 stored for these steps, when it is not `name`. */
  v1Name?: string;
  /** Parses a completed step's result (throws when it does not have the kind's shape). */
  readResult?: (result: unknown) => unknown;
}

/** call_index of a turn's model step; tool calls use 0, 1, 2 … */
export const MODEL_CALL_INDEX = -1;
/** call_index of a compaction before a turn's model call. */
export const COMPACTION_CALL_INDEX = -2;
/** call_index (at turn 0) of the context snapshot a run starts from. */
export const CONTEXT_CALL_INDEX = -3;
/** Tool calls of a turn: one index per call the model made in it. */
export const MAX_TOOL_CALLS_PER_TURN = 1_000;

export const KERNEL_STEP_KINDS: readonly StepKind[] = [
  { name: 'model', callIndex: MODEL_CALL_INDEX, readResult: readModelResult },
  { name: 'compaction', callIndex: COMPACTION_CALL_INDEX, readResult: readModelResult },
  { name: 'context', callIndex: CONTEXT_CALL_INDEX, readResult: (r) => contextSnapshotSchema.parse(r) },
  { name: 'tool', callIndex: 0, span: MAX_TOOL_CALLS_PER_TURN, readResult: readToolResult },
];

const KIND_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** Refuses two kinds whose ranges overlap (named in the error): checked when the kernel is built. */
export function checkStepKinds(kinds: readonly StepKind[]): void {
  for (const kind of kinds)
    if (!KIND_NAME.test(kind.name))
      throw new AgentOsError(
        'config.invalid',
        `Journal step kind "${kind.name}" is not a lower-case dotted name`,
      );
  const sorted = [...kinds].sort((a, b) => a.callIndex - b.callIndex);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const end = before.callIndex + (before.span ?? 1);
    if (sorted[i]!.callIndex < end)
      throw new AgentOsError(
        'config.invalid',
        `Journal step kinds "${before.name}" and "${sorted[i]!.name}" share call index ${sorted[i]!.callIndex}`,
      );
  }
}
