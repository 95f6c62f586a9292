// One framework, one phase of one scenario, in its own process (so its RSS is its own).
// Usage: node --import tsx bench/kernel/child.ts '<ChildRequest JSON>'; prints a ChildResult as its last line.
import type { BenchStoreKind } from './bench-store.ts';
import { callWeights, percentile } from './metrics.ts';
import type { PausedHeapResult } from './paused-heap.ts';
import type { ProviderLimits } from './peers/agent-os.ts';
import type { FrameworkId, PhaseSpec, ScenarioId } from './scenarios.ts';
import type { SimFlags } from './sim-server.ts';
import type { SoakResult } from './soak.ts';
import type { WorkersResult } from './two-workers.ts';
import type { RunAgents, RunAgentsOptions } from './workload.ts';

export interface ChildRequest {
  framework: FrameworkId;
  scenario: ScenarioId;
  spec: PhaseSpec;
  baseURL: string;
  store: BenchStoreKind;
  sim: SimFlags;
}

export interface Fairness {
  shareA: number;
  shareB: number;
  windowMs: number;
}

/** Time from one tool execution to the next within a run (a model call and the bookkeeping around it). */
export interface StepTimes {
  p50Ms: number | null;
  p95Ms: number | null;
  samples: number;
}

export type ChildResult =
  | {
      ok: true;
      makespanMs: number;
      n: number;
      failed: number;
      errors: Record<string, number>;
      peakRssBytes: number;
      p50Ms: number | null;
      p95Ms: number | null;
      interactiveP95Ms: number | null;
      fairness: Fairness | null;
      pausedHeap: PausedHeapResult | null;
      stepTimes: StepTimes | null;
      workers: WorkersResult | null;
      soak: SoakResult | null;
      gateway: string | null;
    }
  | { ok: false; unavailable: boolean; error: string };

const log = (message: string) => process.stderr.write(`${message}\n`);

/** What an operator would configure for the simulator: its slots and its rate limit. */
const providerLimitsOf = (sim: SimFlags): ProviderLimits => ({
  concurrency: sim.slots ?? 8,
  ...(sim.rpm === undefined || sim.rpm === 0 ? {} : { rpm: sim.rpm }),
});

/** The figures a scenario does not produce. */
const NONE = {
  errors: {},
  p50Ms: null,
  p95Ms: null,
  interactiveP95Ms: null,
  fairness: null,
  pausedHeap: null,
  stepTimes: null,
  workers: null,
  soak: null,
  gateway: null,
} as const;

async function loadFramework(
  framework: FrameworkId,
  store: BenchStoreKind,
  sim: SimFlags,
): Promise<RunAgents> {
  switch (framework) {
    case 'agentOs': {
      const { runAgents } = await import('./peers/agent-os.ts');
      const providerLimits = providerLimitsOf(sim);
      return (options) => runAgents({ ...options, store, providerLimits });
    }
    case 'naive':
      return (await import('./peers/naive.ts')).runAgents;
    case 'langgraph':
      return (await import('./peers/langgraph.ts')).runAgents;
    case 'openaiAgents':
      return (await import('./peers/openai-agents.ts')).runAgents;
  }
}

const workspaceOf = (spec: PhaseSpec, i: number): string =>
  spec.workspaceA !== undefined && i % spec.workspaceA.everyNth === 0 ? 'A' : 'B';

/** Slot-time shares of A and B while both still had runs: model calls weighted by their modelled latency. */
function fairness(
  spec: PhaseSpec,
  sim: SimFlags,
  calls: Array<{ at: number; i: number; answer: boolean }>,
  lastDone: Map<string, number>,
): Fairness {
  const { toolTurnMs, answerMs } = callWeights(sim);
  const windowEnd = Math.min(lastDone.get('A') ?? 0, lastDone.get('B') ?? 0);
  const slotMs = { A: 0, B: 0 };
  for (const call of calls) {
    if (call.at > windowEnd) continue;
    slotMs[workspaceOf(spec, call.i) as 'A' | 'B'] += call.answer ? answerMs : toolTurnMs;
  }
  const total = slotMs.A + slotMs.B;
  return {
    shareA: total > 0 ? slotMs.A / total : 0,
    shareB: total > 0 ? slotMs.B / total : 0,
    windowMs: windowEnd,
  };
}

async function runPhase(request: ChildRequest): Promise<ChildResult> {
  const { spec } = request;
  let runAgents: RunAgents;
  try {
    runAgents = await loadFramework(request.framework, request.store, request.sim);
  } catch (error) {
    return { ok: false, unavailable: true, error: `cannot load ${request.framework}: ${String(error)}` };
  }
  let peakRssBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, 20);
  const calls: Array<{ at: number; i: number; answer: boolean }> = [];
  const toolTimes = Array.from({ length: spec.n }, (): number[] => []);
  const lastDone = new Map<string, number>();
  let t0 = performance.now();
  let lastDoneAt = t0;
  const options: RunAgentsOptions = {
    baseURL: request.baseURL,
    n: spec.n,
    steps: spec.steps,
    toolMs: spec.toolMs,
    onToolCall: (i) => {
      calls.push({ at: performance.now() - t0, i, answer: false });
      toolTimes[i]?.push(performance.now());
    },
    onStart: () => {
      t0 = performance.now();
    },
    onRunDone: (i, _ms, ok) => {
      lastDoneAt = performance.now();
      const at = lastDoneAt - t0;
      if (ok) calls.push({ at, i, answer: true });
      lastDone.set(workspaceOf(spec, i), at);
    },
  };
  const { interactive, workspaceA } = spec;
  if (interactive !== undefined) {
    options.priorityOf = (i) => (i >= interactive.from ? 'interactive' : 'background');
    options.startAtMs = (i) =>
      i >= interactive.from ? interactive.startMs + (i - interactive.from) * interactive.everyMs : 0;
  }
  if (workspaceA !== undefined) options.workspaceOf = (i) => workspaceOf(spec, i);
  if (spec.sequential === true) options.sequential = true;
  const result = await runAgents(options);
  const makespanMs = lastDoneAt - t0;
  clearInterval(sampler);
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  const interactiveLatencies = interactive === undefined ? [] : result.latencies.slice(interactive.from);
  return {
    ok: true,
    makespanMs,
    n: spec.n,
    failed: result.failed,
    errors: result.errors ?? {},
    peakRssBytes,
    p50Ms: percentile(result.latencies, 50),
    p95Ms: percentile(result.latencies, 95),
    interactiveP95Ms: interactive === undefined ? null : percentile(interactiveLatencies, 95),
    fairness: workspaceA === undefined ? null : fairness(spec, request.sim, calls, lastDone),
    pausedHeap: null,
    stepTimes: spec.sequential === true ? stepTimes(toolTimes) : null,
    workers: null,
    soak: null,
    gateway: result.gateway ?? null,
  };
}

/** Intervals between consecutive tool executions of each run but the first (a warm-up). */
function stepTimes(toolTimes: number[][]): StepTimes {
  const intervals = toolTimes
    .slice(1)
    .flatMap((times) => times.slice(1).map((at, k) => at - (times[k] ?? at)));
  return { p50Ms: percentile(intervals, 50), p95Ms: percentile(intervals, 95), samples: intervals.length };
}

/** The scenarios that are not N agents through `runAgents`: ours only, each with its own driver. */
async function runSpecial(request: ChildRequest): Promise<ChildResult | null> {
  const { spec } = request;
  switch (request.scenario) {
    case 'paused': {
      const { measurePausedHeap } = await import('./paused-heap.ts');
      const pausedHeap = await measurePausedHeap({
        baseURL: request.baseURL,
        store: request.store,
        n: spec.n,
        log,
      });
      return {
        ok: true,
        ...NONE,
        makespanMs: pausedHeap.phaseMs.submitAndStart + pausedHeap.phaseMs.pause,
        n: spec.n,
        failed: spec.n - pausedHeap.paused,
        errors: pausedHeap.ended,
        peakRssBytes: process.memoryUsage.rss(),
        pausedHeap,
      };
    }
    case 'two-worker': {
      const { measureWorkers } = await import('./two-workers.ts');
      const workers = await measureWorkers({
        baseURL: request.baseURL,
        n: spec.n,
        steps: spec.steps,
        workers: spec.workers ?? 1,
        limits: providerLimitsOf(request.sim),
        log,
      });
      return {
        ok: true,
        ...NONE,
        makespanMs: workers.makespanMs,
        n: spec.n,
        failed: spec.n - workers.succeeded,
        errors: Object.fromEntries(
          Object.entries(workers.ended).filter(([status]) => status !== 'succeeded'),
        ),
        peakRssBytes: process.memoryUsage.rss(),
        workers,
      };
    }
    case 'soak': {
      const { measureSoak } = await import('./soak.ts');
      const soak = await measureSoak({
        baseURL: request.baseURL,
        store: request.store,
        n: spec.n,
        steps: spec.steps,
        sampleEvery: spec.sampleEvery ?? 1_000,
        limits: providerLimitsOf(request.sim),
        log,
      });
      return {
        ok: true,
        ...NONE,
        makespanMs: soak.makespanMs,
        n: spec.n,
        failed: spec.n - soak.succeeded,
        peakRssBytes: soak.rssBytes,
        soak,
      };
    }
    default:
      return null;
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
  let result: ChildResult;
  try {
    result = (await runSpecial(request)) ?? (await runPhase(request));
  } catch (error) {
    result = {
      ok: false,
      unavailable: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  // Frameworks may leave keep-alive sockets or timers behind; the result is out, so end here.
  process.exit(0);
}

await main();
