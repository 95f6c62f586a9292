import { AgentOsError } from '../errors/agent-os-error.ts';
import { JOURNAL_VERSION } from './journal-format.ts';
import type { JournalStep } from './journal-steps.ts';
import { checkStepKinds, type StepKind } from './step-kinds.ts';

/** One journal step that no registered kind accounts for, or whose result does not have its kind's shape. */
export interface JournalProblem {
  turn: number;
  callIndex: number;
  kind: string;
  problem: 'unknown_kind' | 'kind_mismatch' | 'invalid_result';
  message: string;
}

/**
 * The step kinds of one kernel (its own and its plugins'), checked once for overlaps, and the reader that
 * checks a stored journal against them before a run replays it: every step must sit in the index range of
 * a registered kind, carry that kind's name (journal v2) or its v1 name (journal v1), and, when completed,
 * a result of the kind's shape. A journal that fails is not replayed (the run fails with `journal.invalid`),
 * so a plugin removed from the composition or a corrupted row never turns into a wrong replay.
 */
export class StepKindRegistry {
  readonly kinds: readonly StepKind[];

  constructor(kinds: readonly StepKind[]) {
    checkStepKinds(kinds);
    this.kinds = [...kinds].sort((a, b) => a.callIndex - b.callIndex);
  }

  /** The kind owning a call index, or undefined. */
  at(callIndex: number): StepKind | undefined {
    return this.kinds.find((k) => callIndex >= k.callIndex && callIndex < k.callIndex + (k.span ?? 1));
  }

  /** The name a step at `callIndex` is stored under in the current journal version. */
  nameAt(callIndex: number): string {
    const kind = this.at(callIndex);
    if (kind === undefined)
      throw new AgentOsError('internal', `No journal step kind is registered at call index ${callIndex}`);
    return kind.name;
  }

  /** Every problem of a stored journal written in `version`; throws when the version is not one this build reads. */
  problems(version: number, steps: readonly JournalStep[]): JournalProblem[] {
    if (!Number.isInteger(version) || version < 1 || version > JOURNAL_VERSION)
      throw new AgentOsError(
        'journal.version_unsupported',
        `This build reads journal versions 1 to ${JOURNAL_VERSION}; the run's journal is version ${version}`,
      );
    const out: JournalProblem[] = [];
    for (const step of steps) {
      const at = { turn: step.turn, callIndex: step.callIndex, kind: step.kind };
      const kind = this.at(step.callIndex);
      if (kind === undefined) {
        out.push({
          ...at,
          problem: 'unknown_kind',
          message: `no registered step kind owns call index ${step.callIndex}`,
        });
        continue;
      }
      const expected = version === 1 ? (kind.v1Name ?? kind.name) : kind.name;
      if (step.kind !== expected) {
        out.push({
          ...at,
          problem: 'kind_mismatch',
          message: `call index ${step.callIndex} belongs to "${expected}", the step says "${step.kind}"`,
        });
        continue;
      }
      if (step.status !== 'completed' || kind.readResult === undefined) continue;
      try {
        kind.readResult(step.result);
      } catch {
        out.push({ ...at, problem: 'invalid_result', message: `the result is not a "${kind.name}" result` });
      }
    }
    return out;
  }

  /** Throws `journal.invalid` naming the first problem, when there is one. */
  check(version: number, steps: readonly JournalStep[]): void {
    const [first, ...rest] = this.problems(version, steps);
    if (first === undefined) return;
    throw new AgentOsError(
      'journal.invalid',
      `The run's journal cannot be replayed: step (turn ${first.turn}, call ${first.callIndex}) ${first.message}` +
        (rest.length > 0 ? ` (and ${rest.length} more)` : ''),
    );
  }
}
