import { z } from 'zod';
import type { ExpectedToolCall } from '../../core/agents/criteria.ts';
import type { JournalStep } from '../../core/kernel/journal-steps.ts';

/** A tool call the run made, as its journal recorded it. */
export interface ObservedToolCall {
  name: string;
  arguments: unknown;
}

const recordedCall = z.object({ name: z.string(), argumentsText: z.string() });

/** The run's tool calls in the order it made them (turn, then position in the turn). */
export function toolCallsOf(steps: readonly JournalStep[]): ObservedToolCall[] {
  return steps.flatMap((step) => {
    if (step.kind !== 'tool') return [];
    const parsed = recordedCall.safeParse(step.input);
    if (!parsed.success) return [{ name: step.name ?? '', arguments: undefined }];
    let args: unknown;
    try {
      args = JSON.parse(parsed.data.argumentsText);
    } catch {
      args = undefined;
    }
    return [{ name: parsed.data.name, arguments: args }];
  });
}

/** `expected` is contained in `actual`: objects by key subset (recursively), everything else by equality. */
export function containsSubset(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(
      ([key, value]) => Object.hasOwn(record, key) && containsSubset(record[key], value),
    );
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((value, index) => containsSubset(actual[index], value))
    );
  }
  return Object.is(actual, expected);
}

function matches(call: ObservedToolCall, expected: ExpectedToolCall): boolean {
  return (
    call.name === expected.name &&
    (expected.arguments === undefined || containsSubset(call.arguments, expected.arguments))
  );
}

const describe = (expected: ExpectedToolCall): string =>
  expected.arguments === undefined
    ? expected.name
    : `${expected.name}(${JSON.stringify(expected.arguments)})`;

/** Undefined when the calls satisfy the expectation, else why not. */
export function toolCallProblem(
  actual: readonly ObservedToolCall[],
  expected: readonly ExpectedToolCall[],
  options: { order: 'in_order' | 'any_order'; exclusive: boolean },
): string | undefined {
  const made = actual.map((call) => call.name).join(', ') || 'none';
  const used = new Set<number>();
  let from = 0;
  for (const want of expected) {
    const index = actual.findIndex(
      (call, i) => (options.order === 'any_order' || i >= from) && !used.has(i) && matches(call, want),
    );
    if (index === -1) {
      const where = options.order === 'in_order' && from > 0 ? ' after the previous expected call' : '';
      return `expected a call ${describe(want)}${where}; calls made: ${made}`;
    }
    used.add(index);
    from = index + 1;
  }
  if (options.exclusive && used.size !== actual.length) {
    return `expected only ${expected.map((e) => e.name).join(', ')}; calls made: ${made}`;
  }
  return undefined;
}
