import { describe, expect, it } from 'vitest';
import { type CriterionInput, criterionSchema } from '../../src/core/agents/criteria.ts';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { compareEvalRuns } from '../../src/plugins/evals/eval-compare.ts';
import type { EvalRunView } from '../../src/plugins/evals/eval-runner.ts';
import { parseSuite } from '../../src/plugins/evals/eval-suite.ts';
import { evaluateCriteria, type JudgeCall, summarize } from '../../src/plugins/evals/evaluate-criteria.ts';
import type { ObservedToolCall } from '../../src/plugins/evals/tool-call-match.ts';

const noJudge: JudgeCall = async () => ({ error: 'no judge in this test' });

async function check(
  input: CriterionInput,
  answer: string,
  toolCalls: ObservedToolCall[] = [],
  judge: JudgeCall = noJudge,
) {
  const [result] = await evaluateCriteria(
    [criterionSchema.parse(input)],
    { task: 't', answer, toolCalls },
    judge,
  );
  return result!;
}

describe('criteria', () => {
  it('exact trims by default and can ignore case', async () => {
    expect((await check({ kind: 'exact', value: 'hello' }, '  hello\n')).passed).toBe(true);
    expect((await check({ kind: 'exact', value: 'hello', trim: false }, ' hello')).passed).toBe(false);
    expect((await check({ kind: 'exact', value: 'Hello' }, 'hello')).detail).toBe(
      'expected "Hello", got "hello"',
    );
    expect((await check({ kind: 'exact', value: 'Hello', caseSensitive: false }, 'hello')).passed).toBe(true);
  });

  it('regex and contains (all / any, case)', async () => {
    expect((await check({ kind: 'regex', pattern: 'order \\d+' }, 'order 42 done')).passed).toBe(true);
    expect((await check({ kind: 'regex', pattern: '^ok$', flags: 'i' }, 'OK')).passed).toBe(true);
    const all = await check({ kind: 'contains', values: ['apple', 'pear'] }, 'Apple and banana');
    expect(all).toMatchObject({ passed: false, detail: 'the answer lacks "pear"' });
    expect((await check({ kind: 'contains', values: ['apple', 'pear'], mode: 'any' }, 'APPLE')).passed).toBe(
      true,
    );
    expect((await check({ kind: 'contains', values: ['apple'], caseSensitive: true }, 'APPLE')).passed).toBe(
      false,
    );
  });

  it('json_schema parses the answer (or its fenced block) and validates it', async () => {
    const schema = {
      type: 'object',
      properties: { total: { type: 'number' } },
      required: ['total'],
    };
    expect((await check({ kind: 'json_schema', schema }, '{"total": 3}')).passed).toBe(true);
    expect((await check({ kind: 'json_schema', schema }, 'Here:\n```json\n{"total": 4}\n```')).passed).toBe(
      true,
    );
    const wrong = await check({ kind: 'json_schema', schema }, '{"total": "three"}');
    expect(wrong.passed).toBe(false);
    expect(wrong.detail).toContain('total');
    expect((await check({ kind: 'json_schema', schema }, 'three')).detail).toContain('not JSON');
  });

  it('tool_calls in order, as a set, exclusive, with argument subsets', async () => {
    const calls: ObservedToolCall[] = [
      { name: 'search', arguments: { q: 'cats', limit: 5 } },
      { name: 'fetch', arguments: { url: 'https://x' } },
    ];
    const expectCalls = (input: Omit<Extract<CriterionInput, { kind: 'tool_calls' }>, 'kind'>) =>
      check({ kind: 'tool_calls', ...input }, 'a', calls);
    expect(
      (await expectCalls({ calls: [{ name: 'search', arguments: { q: 'cats' } }, { name: 'fetch' }] }))
        .passed,
    ).toBe(true);
    expect((await expectCalls({ calls: [{ name: 'fetch' }, { name: 'search' }] })).passed).toBe(false);
    expect(
      (await expectCalls({ calls: [{ name: 'fetch' }, { name: 'search' }], order: 'any_order' })).passed,
    ).toBe(true);
    expect((await expectCalls({ calls: [{ name: 'search', arguments: { q: 'dogs' } }] })).detail).toContain(
      'calls made: search, fetch',
    );
    expect((await expectCalls({ calls: [{ name: 'search' }], exclusive: true })).passed).toBe(false);
  });

  it('llm_judge passes at the threshold and reports unusable verdicts', async () => {
    const judge =
      (text: string): JudgeCall =>
      async () => ({ text });
    const rubric = { kind: 'llm_judge' as const, rubric: 'Is it polite?', threshold: 0.6 };
    const high = await check(rubric, 'thanks', [], judge('{"score": 0.6, "reason": "polite enough"}'));
    expect(high).toMatchObject({ passed: true, score: 0.6 });
    expect(high.detail).toContain('polite enough');
    expect((await check(rubric, 'x', [], judge('{"score": 0.2, "reason": "rude"}'))).passed).toBe(false);
    expect((await check(rubric, 'x', [], judge('great answer'))).detail).toBe(
      'the judge answered no JSON object',
    );
    expect((await check(rubric, 'x', [], noJudge)).detail).toContain('the judge call failed');
  });

  it('summarize: a case passes when every criterion does; its score is the mean', () => {
    const r = (passed: boolean, score: number) => ({
      name: 'n',
      kind: 'exact' as const,
      passed,
      score,
      detail: '',
    });
    expect(summarize([r(true, 1), r(false, 0)])).toEqual({ passed: false, score: 0.5 });
    expect(summarize([r(true, 1), r(true, 0.8)])).toEqual({ passed: true, score: 0.9 });
  });
});

describe('suites', () => {
  it('reports every problem with its path', () => {
    let error: unknown;
    try {
      parseSuite({
        name: 'Bad Name',
        agent: 'helper',
        cases: [
          { id: 'a', input: 'x', criteria: [{ kind: 'exact', value: 'y' }] },
          { id: 'a', input: 'x', criteria: [{ kind: 'regex', pattern: '(' }] },
          { id: 'c', input: 'x', criteria: [{ kind: 'json_schema', schema: { type: 'nonsense' } }] },
        ],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AgentOsError);
    const paths = (((error as AgentOsError).details?.issues ?? []) as Array<{ path: string }>).map(
      (i) => i.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'cases.1.criteria.0.pattern',
        'cases.2.criteria.0.schema',
        'cases.1.id',
      ]),
    );
    expect((error as AgentOsError).message).toContain('cases.1.criteria.0.pattern:');
  });
});

describe('regression report', () => {
  const view = (id: string, version: number, cases: Array<[string, boolean]>): EvalRunView => ({
    evalRun: {
      id,
      suiteName: 's',
      suite: parseSuite({
        name: 's',
        agent: 'a',
        cases: [{ id: 'x', input: 'i', criteria: [{ kind: 'exact', value: 'v' }] }],
      }),
      agentId: 'agt',
      agentVersion: version,
      userId: null,
      status: 'completed',
      passed: cases.filter(([, passed]) => passed).length,
      total: cases.length,
      score: null,
      createdAt: new Date(),
      finishedAt: new Date(),
    },
    cases: cases.map(([caseId, passed], position) => ({
      caseId,
      position,
      runId: `run-${id}-${caseId}`,
      status: 'scored',
      passed,
      score: passed ? 1 : 0,
      criteria: [{ name: 'exact#1', kind: 'exact', passed, score: passed ? 1 : 0, detail: '' }],
      runStatus: 'succeeded',
      answer: '',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0,
      latencyMs: 1,
      judgeUsage: null,
    })),
  });

  it('names the cases that got better, worse, stayed, appeared and disappeared', () => {
    const report = compareEvalRuns(
      view('a', 1, [
        ['same', true],
        ['fixed', false],
        ['broken', true],
        ['gone', true],
      ]),
      view('b', 2, [
        ['same', true],
        ['fixed', true],
        ['broken', false],
        ['new', false],
      ]),
    );
    expect(report).toMatchObject({
      better: ['fixed'],
      worse: ['broken'],
      unchanged: ['same'],
      added: ['new'],
      removed: ['gone'],
      regressed: true,
    });
    expect(report.cases.find((c) => c.caseId === 'broken')?.criteria).toEqual(['exact#1']);
  });
});
