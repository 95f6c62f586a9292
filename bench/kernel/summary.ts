// Turns raw phase results (a child's figures + the simulator's /stats) into per-scenario figures and the
// headline numbers of the benchmark.
import type { BenchStoreKind } from './bench-store.ts';
import type { ChildResult } from './child.ts';
import { jainIndex, makespanBound, round } from './metrics.ts';
import type { FrameworkId, Scenario, ScenarioId } from './scenarios.ts';
import type { SimStats } from './sim-server.ts';

export interface PhaseRecord {
  phase: string;
  child: ChildResult;
  stats: SimStats | null;
  /** 1-minute load average of the machine when the phase started and ended (other work shares the cores). */
  load: [number, number];
}

export interface ScenarioRecord {
  scenario: ScenarioId;
  framework: FrameworkId;
  date: string;
  /** The store Agent OS ran on; null for a peer (peers keep nothing durable). */
  store: BenchStoreKind | null;
  quick: boolean;
  phases: PhaseRecord[];
}

export type Figures = Record<string, number | string | null>;

const MB = 1024 * 1024;

function failure(record: ScenarioRecord): Figures | undefined {
  for (const { child } of record.phases) {
    if (!child.ok)
      return { error: child.unavailable ? `unavailable: ${child.error}` : child.error.slice(0, 300) };
  }
  return undefined;
}

function topErrors(errors: Record<string, number>): string | null {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  return entries
    .slice(0, 2)
    .map(([message, count]) => `${count}× ${message.slice(0, 120)}`)
    .join(' | ');
}

/** The highest 1-minute load average seen around the phases: above the core count, timings are inflated. */
const loadOf = (record: ScenarioRecord): number | null =>
  round(Math.max(0, ...record.phases.flatMap((p) => p.load ?? [])), 1);

export function figuresOf(scenario: Scenario, record: ScenarioRecord): Figures {
  const figures = scenarioFigures(scenario, record);
  return { ...figures, load1m: loadOf(record) };
}

function scenarioFigures(scenario: Scenario, record: ScenarioRecord): Figures {
  const failed = failure(record);
  if (failed !== undefined) return failed;
  const phase = (name: string) => record.phases.find((p) => p.phase === name);
  const main = phase('main') ?? record.phases[0];
  if (main === undefined || !main.child.ok) return { error: 'no result' };
  const child = main.child;
  const spec = scenario.phases.find((p) => p.name === main.phase)?.spec;
  const stats = main.stats;
  const common: Figures = {
    runs: child.n,
    failed: child.failed,
    rejected429: stats?.rejected429 ?? null,
    errors: topErrors(child.errors),
  };
  switch (scenario.id) {
    case 'capacity':
    case 'queue0':
    case 'rpm300':
    case 'rpm100': {
      if (stats === null || spec === undefined) return { ...common, error: 'no simulator stats' };
      const bound = makespanBound(scenario.sim, stats, spec);
      return {
        makespanMs: round(child.makespanMs, 0),
        boundMs: round(bound.boundMs, 0),
        makespanRatio: round(child.makespanMs / bound.boundMs, 3),
        ...(bound.rateMs === null ? {} : { rateBoundMs: round(bound.rateMs, 0) }),
        busySlotBoundMs: round(bound.busyCapacityMs, 0),
        slotUtilisation: round(stats.slotUtilisation, 3),
        modelCalls: stats.completed,
        requests: stats.requests,
        p95Ms: round(child.p95Ms, 0),
        peakRssMb: round(child.peakRssBytes / MB, 0),
        ...common,
      };
    }
    case 'priority': {
      const idle = phase('idle')?.child;
      const flood = phase('flood')?.child;
      if (idle?.ok !== true || flood?.ok !== true) return { error: 'missing phase' };
      const ratio =
        idle.interactiveP95Ms !== null && flood.interactiveP95Ms !== null
          ? flood.interactiveP95Ms / idle.interactiveP95Ms
          : null;
      return {
        idleP95Ms: round(idle.interactiveP95Ms, 0),
        floodP95Ms: round(flood.interactiveP95Ms, 0),
        interactiveP95Ratio: round(ratio, 3),
        floodMakespanMs: round(flood.makespanMs, 0),
        runs: flood.n + idle.n,
        failed: flood.failed + idle.failed,
        rejected429: (phase('flood')?.stats?.rejected429 ?? 0) + (phase('idle')?.stats?.rejected429 ?? 0),
        errors: topErrors({ ...idle.errors, ...flood.errors }),
      };
    }
    case 'fairness': {
      const f = child.fairness;
      if (f === null) return { ...common, error: 'no fairness data' };
      return {
        shareA: round(f.shareA, 3),
        shareB: round(f.shareB, 3),
        jain: round(jainIndex([f.shareA, f.shareB]), 3),
        windowMs: round(f.windowMs, 0),
        ...common,
      };
    }
    case 'overhead': {
      const calls = stats?.completed ?? 0;
      return {
        makespanMs: round(child.makespanMs, 0),
        modelCalls: calls,
        msPerModelCall: calls > 0 ? round(child.makespanMs / calls, 3) : null,
        peakRssMb: round(child.peakRssBytes / MB, 0),
        ...common,
      };
    }
    case 'paused': {
      const heap = child.pausedHeap;
      if (heap === null) return { ...common, error: 'no heap data' };
      return {
        pausedRuns: heap.paused,
        heapBytesPerPausedRun: round(heap.heapBytesPerPausedRun, 0),
        heapDeltaMb: round((heap.heapAfterBytes - heap.heapBaselineBytes) / MB, 1),
        rssDeltaMb: round(heap.rssDeltaBytes / MB, 0),
        setupMs: round(heap.phaseMs.submitAndStart + heap.phaseMs.pause, 0),
        ...common,
      };
    }
    case 'single-chain': {
      const steps = child.stepTimes;
      if (steps === null) return { ...common, error: 'no step times' };
      return {
        stepP50Ms: round(steps.p50Ms, 2),
        stepP95Ms: round(steps.p95Ms, 2),
        stepSamples: steps.samples,
        modelCalls: stats?.completed ?? null,
        ...common,
      };
    }
    case 'two-worker':
      return workersFigures(record);
    case 'soak': {
      const soak = child.soak;
      if (soak === null) return { ...common, error: 'no soak data' };
      const heapMb = (at: number) => round((soak.samples[at]?.[1] ?? Number.NaN) / MB, 1);
      return {
        bytesPerRun: round(soak.bytesPerRun, 0),
        baselineHeapMb: heapMb(0),
        firstHeapMb: heapMb(1),
        lastHeapMb: heapMb(soak.samples.length - 1),
        heapSamples: soak.samples.length,
        rssMb: round(soak.rssBytes / MB, 0),
        msPerRun: round(soak.makespanMs / soak.runs, 2),
        ...common,
      };
    }
  }
}

/** Model calls served per second with one worker process and with two, and their ratio. */
function workersFigures(record: ScenarioRecord): Figures {
  const rate = (name: string) => {
    const phase = record.phases.find((p) => p.phase === name);
    if (phase?.child.ok !== true || phase.stats === null) return null;
    return phase.stats.completed / (phase.child.makespanMs / 1000);
  };
  const one = rate('one');
  const two = rate('two');
  const split = (name: string) => {
    const child = record.phases.find((p) => p.phase === name)?.child;
    return child?.ok === true ? (child.workers?.toolCallsPerWorker.join('/') ?? null) : null;
  };
  const ok = record.phases.flatMap((p) => (p.child.ok ? [p.child] : []));
  return {
    stepsPerSecOne: round(one, 1),
    stepsPerSecTwo: round(two, 1),
    twoWorkerRatio: one === null || two === null ? null : round(two / one, 3),
    toolCallsPerWorkerTwo: split('two'),
    runs: ok.reduce((a, c) => a + c.n, 0),
    failed: ok.reduce((a, c) => a + c.failed, 0),
    errors: topErrors(Object.assign({}, ...ok.map((c) => c.errors))),
  };
}

export type FiguresByScenario = Partial<Record<ScenarioId, Figures>>;

const num = (value: number | string | null | undefined): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

const sumOf = (values: Array<number | null>): number | null =>
  values.every((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : round(a / b, 3);

/** The headline numbers of the issue for one store, from our figures on it and the peers'. */
export function headline(ours: FiguresByScenario, peers: Partial<Record<FrameworkId, FiguresByScenario>>) {
  const makespans = [num(ours.capacity?.makespanRatio), num(ours.queue0?.makespanRatio)].filter(
    (v): v is number => v !== null,
  );
  const limited = ['queue0', 'rpm300', 'rpm100'] as const;
  const failedIn = ['capacity', 'queue0', 'rpm300', 'rpm100'] as const;
  const naive = peers.naive ?? {};
  const chain = ours['single-chain'];
  const naiveChain = naive['single-chain'];
  return {
    makespanRatio: makespans.length > 0 ? Math.max(...makespans) : null,
    capacityMakespanRatio: num(ours.capacity?.makespanRatio),
    queue0MakespanRatio: num(ours.queue0?.makespanRatio),
    rateLimit429: sumOf(limited.map((id) => num(ours[id]?.rejected429))),
    failedRuns: sumOf(failedIn.map((id) => num(ours[id]?.failed))),
    rpm100Failed: num(ours.rpm100?.failed),
    interactiveP95Ratio: num(ours.priority?.interactiveP95Ratio),
    fairnessJain: num(ours.fairness?.jain),
    msPerModelCall: num(ours.overhead?.msPerModelCall),
    msPerCallRatioVsNaive: ratio(num(ours.overhead?.msPerModelCall), num(naive.overhead?.msPerModelCall)),
    stepOverheadRatioVsLangGraph: ratio(
      num(ours.overhead?.msPerModelCall),
      num(peers.langgraph?.overhead?.msPerModelCall),
    ),
    peakRssMb: num(ours.capacity?.peakRssMb),
    peakRssRatioVsNaive: ratio(num(ours.capacity?.peakRssMb), num(naive.capacity?.peakRssMb)),
    addedStepP50Ms: difference(num(chain?.stepP50Ms), num(naiveChain?.stepP50Ms)),
    addedStepP95Ms: difference(num(chain?.stepP95Ms), num(naiveChain?.stepP95Ms)),
    twoWorkerRatio: num(ours['two-worker']?.twoWorkerRatio),
    soakBytesPerRun: num(ours.soak?.bytesPerRun),
    soakFirstHeapMb: num(ours.soak?.firstHeapMb),
    soakLastHeapMb: num(ours.soak?.lastHeapMb),
    heapBytesPerPausedRun: num(ours.paused?.heapBytesPerPausedRun),
  };
}

const difference = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : round(a - b, 2);

export type Headline = ReturnType<typeof headline>;
