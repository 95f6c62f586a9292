// What every framework under test runs: N agents, each M calls of a sleeping tool and then an answer.
import type { Priority } from '../../src/core/kernel/model-gateway.ts';

export const TOOL_NAME = 'lookup';
export const TOOL_DESCRIPTION = 'Looks up a fact for the query';
export const ANSWER_TOKENS = 20;
/** Completion tokens of one scripted tool-call turn: `{"query":"step-1"}` is 18 chars, ceil(18 / 4). */
export const TOOL_TURN_TOKENS = 5;

export interface RunAgentsOptions {
  baseURL: string;
  /** Agents (runs) to start. */
  n: number;
  /** Tool steps per agent; each agent makes steps + 1 model calls. */
  steps: number;
  /** How long the tool sleeps. */
  toolMs: number;
  priorityOf?(i: number): Priority;
  /** A tenant label; frameworks without tenants ignore it. */
  workspaceOf?(i: number): string;
  /** When run i arrives, in ms after the start (0 when absent). */
  startAtMs?(i: number): number;
  /** Called each time run i's tool executes, i.e. after each of its tool-call model turns. */
  onToolCall?(i: number): void;
  onRunDone?(i: number, ms: number, ok: boolean): void;
  /** Called once set-up is over, just before the first run arrives: the makespan clock starts here. */
  onStart?(): void;
  /** Run i arrives only once run i - 1 has ended. */
  sequential?: boolean;
}

export interface RunAgentsResult {
  failed: number;
  /** Per run, from its arrival to its end, in ms (NaN for a run that never ended). */
  latencies: number[];
  /** Why runs failed: message → count (a few distinct ones). */
  errors?: Record<string, number>;
  /** What answered the model calls, where the framework lets one choose (ours: the kernel's gateway). */
  gateway?: string;
}

export type RunAgents = (options: RunAgentsOptions) => Promise<RunAgentsResult>;

/** The system message that scripts the simulator. */
export function simInstructions(steps: number, tool = TOOL_NAME): string {
  return `You are a research agent. [[sim steps=${steps} tool=${tool} answer_tokens=${ANSWER_TOKENS}]]`;
}

export function userTask(i: number): string {
  return `Research topic ${i} and answer.`;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0) setImmediate(resolve);
    else setTimeout(resolve, ms);
  });

/** The tool body shared by all frameworks: sleep, then a short fact. */
export async function lookup(query: string, toolMs: number): Promise<string> {
  await sleep(toolMs);
  return `fact about ${query}`;
}

/** Waits until `startAtMs(i)` after `t0`. */
export async function arrive(options: RunAgentsOptions, i: number, t0: number): Promise<void> {
  const at = options.startAtMs?.(i) ?? 0;
  const wait = t0 + at - performance.now();
  if (wait > 0) await sleep(wait);
}

/** The order runs take turns in: with `sequential`, run i waits until run i - 1 has ended. */
export function turns(options: RunAgentsOptions): { wait(i: number): Promise<void>; ended(i: number): void } {
  const resolvers: Array<() => void> = [];
  const endings = Array.from(
    { length: options.n },
    (_, i) =>
      new Promise<void>((resolve) => {
        resolvers[i] = resolve;
      }),
  );
  return {
    wait: (i) =>
      options.sequential === true && i > 0 ? (endings[i - 1] ?? Promise.resolve()) : Promise.resolve(),
    ended: (i) => resolvers[i]?.(),
  };
}

export function countError(errors: Record<string, number>, error: unknown): void {
  const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const key = raw.replace(/\d+(\.\d+)?/g, '#').slice(0, 160);
  errors[key] = (errors[key] ?? 0) + 1;
}

/** Runs run(i) for every agent at its arrival time; a throw or `false` counts as a failed run. */
export async function runEach(
  options: RunAgentsOptions,
  run: (i: number) => Promise<boolean>,
): Promise<RunAgentsResult> {
  options.onStart?.();
  const t0 = performance.now();
  const latencies: number[] = new Array<number>(options.n).fill(Number.NaN);
  const errors: Record<string, number> = {};
  let failed = 0;
  const order = turns(options);
  await Promise.all(
    Array.from({ length: options.n }, async (_, i) => {
      await order.wait(i);
      await arrive(options, i, t0);
      const start = performance.now();
      let ok = false;
      try {
        ok = await run(i);
        if (!ok) countError(errors, new Error('run ended without an answer'));
      } catch (error) {
        countError(errors, error);
      }
      const ms = performance.now() - start;
      latencies[i] = ms;
      if (!ok) failed++;
      options.onRunDone?.(i, ms, ok);
      order.ended(i);
    }),
  );
  return { failed, latencies, errors };
}
