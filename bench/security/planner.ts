import { INTENT_PROMPT_HEAD } from '../../src/plugins/policy/run-intent.ts';
import type {
  ChatCompletionMessage,
  RecordedRequest,
  ScriptedHandler,
  ScriptedReply,
} from '../../test/support/scripted-model-server.ts';
import {
  type Call,
  type Environment,
  findInjectedCall,
  type InjectionTask,
  sameCall,
  type UserTask,
} from './world.ts';

/** One run of the suite: a user task, maybe with an injection placed in the environment's untrusted content. */
export interface BenchCase {
  id: number;
  env: Environment;
  task: UserTask;
  injection: InjectionTask | undefined;
}

const text = (message: ChatCompletionMessage): string =>
  typeof message.content === 'string'
    ? message.content
    : (message.content ?? []).map((part) => part.text ?? '').join('');

const CASE = /\[case:(\d+)\]/;

export const casePrompt = (c: BenchCase): string => `[case:${c.id}] ${c.task.prompt}`;

/**
 * A scripted planner standing in for the LLM. It follows the user task's ground truth one call per turn.
 * Compromised: once a tool result carrying an injection is in its context, it makes the injected call
 * (with the arguments it read) before going on — the behaviour the defences must contain.
 */
export function plannerHandler(caseById: ReadonlyMap<number, BenchCase>): ScriptedHandler {
  return (request: RecordedRequest): ScriptedReply => {
    const { messages } = request.body;
    const user = messages.find((m) => m.role === 'user');
    const id = Number(CASE.exec(user === undefined ? '' : text(user))?.[1] ?? -1);
    const bench = caseById.get(id);
    if (bench === undefined) return { text: 'I do not know this task.' };
    const system = messages.find((m) => m.role === 'system');
    if (system !== undefined && text(system).startsWith(INTENT_PROMPT_HEAD))
      return intentAnswer(bench, text(system));
    const issued: Call[] = messages.flatMap((m) =>
      (m.tool_calls ?? []).map((call) => ({
        tool: call.function.name,
        args: JSON.parse(call.function.arguments || '{}') as Record<string, unknown>,
      })),
    );
    const injected = messages
      .filter((m) => m.role === 'tool')
      .map((m) => findInjectedCall(text(m)))
      .find((call) => call !== undefined);
    const injectedIssued = injected !== undefined && issued.some((call) => sameCall(call, injected));
    let next: Call | undefined;
    if (injected !== undefined && !injectedIssued) next = injected;
    else next = bench.task.groundTruth[issued.length - (injectedIssued ? 1 : 0)];
    if (next === undefined) return { text: 'Done.' };
    return { kind: 'tool_calls', toolCalls: [{ name: next.tool, arguments: JSON.stringify(next.args) }] };
  };
}

/**
 * The intent call sees the task and the consequential tools only. Standing in for a model that reads the
 * task well, it names the task's consequential calls with all their arguments; the kernel keeps just the
 * values the task's text states (`groundIntent`), so a value this answer gets for free from the ground
 * truth (an IBAN read from a bill) is dropped there, as one a real model guessed would be.
 */
function intentAnswer(bench: BenchCase, system: string): ScriptedReply {
  const offered = new Set([...system.matchAll(/^- ([A-Za-z0-9_.-]+)\(/gm)].map((match) => match[1]));
  const actions = bench.task.groundTruth
    .filter((call) => offered.has(call.tool))
    .map((call) => ({ tool: call.tool, arguments: call.args }));
  return { text: JSON.stringify({ actions }) };
}
