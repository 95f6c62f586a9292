import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { StepKindRegistry } from '../../src/core/kernel/journal-check.ts';
import type { JournalStep } from '../../src/core/kernel/journal-steps.ts';
import { KERNEL_STEP_KINDS } from '../../src/core/kernel/step-kinds.ts';
import { CONVERSATION_STEP_KINDS } from '../../src/plugins/conversations/conversation-context-hook.ts';
import { CHECK_STEP_KINDS } from '../../src/plugins/evals/run-checks.ts';
import { EXTRACTION_STEP_KINDS } from '../../src/plugins/memory/extraction-hook.ts';

interface Fixture {
  journalVersion: number;
  description: string;
  expect?: string;
  steps: Array<{
    turn: number;
    call_index: number;
    kind: string;
    status: string;
    name: string;
    input: unknown;
    result: unknown;
  }>;
}

const dir = new URL('./fixtures/', import.meta.url);
const read = (path: string): Fixture => JSON.parse(readFileSync(new URL(path, dir), 'utf8')) as Fixture;
const stepsOf = (fixture: Fixture): JournalStep[] =>
  fixture.steps.map((s) => ({
    turn: s.turn,
    callIndex: s.call_index,
    kind: s.kind,
    status: s.status as JournalStep['status'],
    attempt: 1,
    idempotencyKey: `run_fixture:${s.turn}:${s.call_index}`,
    name: s.name,
    inputsHash: 'fixture',
    input: s.input,
    result: s.result,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    startedAt: new Date(0),
    finishedAt: new Date(0),
  }));

/** The kinds of the default composition: the kernel's and those its plugins declare. */
const registry = new StepKindRegistry([
  ...KERNEL_STEP_KINDS,
  ...CONVERSATION_STEP_KINDS,
  ...EXTRACTION_STEP_KINDS,
  ...CHECK_STEP_KINDS,
]);
const valid = readdirSync(new URL('journal-v2/', dir)).filter((f) => f.endsWith('.json'));
const invalid = readdirSync(new URL('journal-v2/invalid/', dir)).filter((f) => f.endsWith('.json'));

describe('journal v2 against the registered step kinds', () => {
  it('has a v2 fixture for every registered step kind', () => {
    const covered = new Set(valid.flatMap((f) => read(`journal-v2/${f}`).steps.map((s) => s.kind)));
    expect([...covered].sort()).toEqual(registry.kinds.map((k) => k.name).sort());
  });

  it.each(valid)('reads %s with no problem', (file) => {
    const fixture = read(`journal-v2/${file}`);
    expect(fixture.journalVersion).toBe(2);
    expect(registry.problems(2, stepsOf(fixture))).toEqual([]);
  });

  it.each(invalid)('refuses %s, naming the step and the problem', (file) => {
    const fixture = read(`journal-v2/invalid/${file}`);
    if (fixture.expect === 'version_unsupported') {
      expect(() => registry.problems(fixture.journalVersion, stepsOf(fixture))).toThrowError(
        expect.objectContaining({ code: 'journal.version_unsupported' }),
      );
      return;
    }
    const problems = registry.problems(fixture.journalVersion, stepsOf(fixture));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.problem).toBe(fixture.expect);
    const thrown = (() => {
      try {
        registry.check(fixture.journalVersion, stepsOf(fixture));
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(AgentOsError);
    expect((thrown as AgentOsError).code).toBe('journal.invalid');
    expect((thrown as AgentOsError).message).toContain(`call ${problems[0]?.callIndex}`);
  });

  it('still reads journal v1, where a conversation summary was stored as a compaction', () => {
    expect(registry.problems(1, stepsOf(read('journal-v1.json')))).toEqual([]);
    const summary = read('journal-v2/invalid/kind-mismatch.json');
    expect(registry.problems(1, stepsOf(summary))).toEqual([]);
    expect(registry.problems(2, stepsOf(summary))[0]?.problem).toBe('kind_mismatch');
    expect(registry.nameAt(-4)).toBe('conversation.summary');
    expect(registry.nameAt(2_000_007)).toBe('check');
  });

  it('refuses kinds whose index ranges overlap, and names that are not lower-case dotted', () => {
    expect(
      () => new StepKindRegistry([...KERNEL_STEP_KINDS, { name: 'late.tool', callIndex: 999 }]),
    ).toThrowError(/"tool" and "late\.tool" share call index 999/);
    expect(() => new StepKindRegistry([{ name: 'Has Spaces', callIndex: 5_000_000 }])).toThrowError(
      /not a lower-case dotted name/,
    );
    expect(() => registry.nameAt(4_000_000)).toThrowError(/No journal step kind/);
  });
});
