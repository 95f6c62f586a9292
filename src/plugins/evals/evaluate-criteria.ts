import { z } from 'zod';
import { type Criterion, type CriterionKind, criterionLabel } from '../../core/agents/criteria.ts';
import type { ChatMessage } from '../../core/kernel/messages.ts';
import { judgePrompt, parseVerdict } from './llm-judge.ts';
import { type ObservedToolCall, toolCallProblem } from './tool-call-match.ts';

/** One criterion's outcome: deterministic ones score 0 or 1, a judge its own score. */
export interface CriterionResult {
  name: string;
  kind: CriterionKind;
  passed: boolean;
  score: number;
  detail: string;
}

/** What is checked: the task, the run's answer and the tool calls its journal recorded. */
export interface AnswerUnderTest {
  task: string;
  answer: string;
  toolCalls: readonly ObservedToolCall[];
}

type JudgeCriterion = Extract<Criterion, { kind: 'llm_judge' }>;

/** Makes the judge's model call; `index` is the criterion's position (online checks journal by it). */
export type JudgeCall = (
  criterion: JudgeCriterion,
  index: number,
  messages: ChatMessage[],
) => Promise<{ text: string } | { error: string }>;

const clip = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The answer as JSON: the whole text, or the content of a fenced ```json block. */
function answerJson(answer: string): { value: unknown } | { problem: string } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(answer);
  const text = (fenced?.[1] ?? answer).trim();
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { problem: `the answer is not JSON (${(error as Error).message})` };
  }
}

function verdict(passed: boolean, detail: string): { passed: boolean; score: number; detail: string } {
  return { passed, score: passed ? 1 : 0, detail };
}

function checkDeterministic(
  criterion: Exclude<Criterion, JudgeCriterion>,
  subject: AnswerUnderTest,
): { passed: boolean; score: number; detail: string } {
  const { answer } = subject;
  switch (criterion.kind) {
    case 'exact': {
      const fold = (text: string) => {
        const trimmed = criterion.trim ? text.trim() : text;
        return criterion.caseSensitive ? trimmed : trimmed.toLowerCase();
      };
      return fold(answer) === fold(criterion.value)
        ? verdict(true, 'the answer equals the expected value')
        : verdict(
            false,
            `expected ${JSON.stringify(clip(criterion.value))}, got ${JSON.stringify(clip(answer))}`,
          );
    }
    case 'regex':
      return new RegExp(criterion.pattern, criterion.flags).test(answer)
        ? verdict(true, `the answer matches /${criterion.pattern}/${criterion.flags}`)
        : verdict(false, `the answer does not match /${criterion.pattern}/${criterion.flags}`);
    case 'contains': {
      const fold = (text: string) => (criterion.caseSensitive ? text : text.toLowerCase());
      const haystack = fold(answer);
      const missing = criterion.values.filter((value) => !haystack.includes(fold(value)));
      const passed =
        criterion.mode === 'all' ? missing.length === 0 : missing.length < criterion.values.length;
      if (passed) return verdict(true, `the answer contains ${criterion.mode} of the values`);
      return criterion.mode === 'all'
        ? verdict(false, `the answer lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}`)
        : verdict(
            false,
            `the answer contains none of ${criterion.values.map((m) => JSON.stringify(m)).join(', ')}`,
          );
    }
    case 'json_schema': {
      const parsed = answerJson(answer);
      if ('problem' in parsed) return verdict(false, parsed.problem);
      const schema = z.fromJSONSchema(criterion.schema as Parameters<typeof z.fromJSONSchema>[0]);
      const result = schema.safeParse(parsed.value);
      if (result.success) return verdict(true, 'the answer is JSON matching the schema');
      const issues = result.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
      return verdict(false, `the JSON does not match the schema: ${issues.join('; ')}`);
    }
    case 'tool_calls': {
      const problem = toolCallProblem(subject.toolCalls, criterion.calls, criterion);
      return problem === undefined
        ? verdict(true, 'the expected tool calls were made')
        : verdict(false, problem);
    }
  }
}

/** Every criterion's result, in order; judges are called one after another. */
export async function evaluateCriteria(
  criteria: readonly Criterion[],
  subject: AnswerUnderTest,
  judge: JudgeCall,
): Promise<CriterionResult[]> {
  const results: CriterionResult[] = [];
  for (const [index, criterion] of criteria.entries()) {
    const head = { name: criterionLabel(criterion, index), kind: criterion.kind };
    if (criterion.kind !== 'llm_judge') {
      results.push({ ...head, ...checkDeterministic(criterion, subject) });
      continue;
    }
    const answer = await judge(criterion, index, judgePrompt(criterion.rubric, subject.task, subject.answer));
    if ('error' in answer) {
      results.push({ ...head, passed: false, score: 0, detail: `the judge call failed: ${answer.error}` });
      continue;
    }
    const parsed = parseVerdict(answer.text);
    if ('problem' in parsed) {
      results.push({ ...head, passed: false, score: 0, detail: parsed.problem });
      continue;
    }
    const passed = parsed.score >= criterion.threshold;
    results.push({
      ...head,
      passed,
      score: parsed.score,
      detail: `score ${parsed.score} (threshold ${criterion.threshold}): ${parsed.reason}`,
    });
  }
  return results;
}

/** A case passes when every criterion does; its score is the mean criterion score. */
export function summarize(results: readonly CriterionResult[]): { passed: boolean; score: number } {
  if (results.length === 0) return { passed: true, score: 1 };
  return {
    passed: results.every((result) => result.passed),
    score: results.reduce((sum, result) => sum + result.score, 0) / results.length,
  };
}
