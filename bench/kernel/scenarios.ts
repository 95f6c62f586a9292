// The scenarios of the kernel benchmark, at full size and scaled down for CI (--quick).
import type { BenchStoreKind } from './bench-store.ts';
import type { SimFlags } from './sim-server.ts';

export type ScenarioId =
  | 'capacity'
  | 'queue0'
  | 'rpm300'
  | 'rpm100'
  | 'priority'
  | 'fairness'
  | 'overhead'
  | 'paused'
  | 'single-chain'
  | 'two-worker'
  | 'soak';

export const SCENARIO_IDS: readonly ScenarioId[] = [
  'capacity',
  'queue0',
  'rpm300',
  'rpm100',
  'priority',
  'fairness',
  'overhead',
  'paused',
  'single-chain',
  'two-worker',
  'soak',
];

export type FrameworkId = 'agentOs' | 'naive' | 'langgraph' | 'openaiAgents';
export const PEER_IDS: readonly FrameworkId[] = ['naive', 'langgraph', 'openaiAgents'];

/** One batch of agents against one fresh simulator: serialisable, handed to a child process. */
export interface PhaseSpec {
  n: number;
  steps: number;
  toolMs: number;
  /** Runs from index `from` on are interactive and arrive one every `everyMs` from `startMs`; the rest are background at 0. */
  interactive?: { from: number; startMs: number; everyMs: number };
  /** Every `everyNth` run (i % everyNth === 0) is in workspace A, the others in B. */
  workspaceA?: { everyNth: number };
  /** Run i arrives when run i - 1 has ended (one chain at a time). */
  sequential?: boolean;
  /** Worker processes sharing the store (two-worker): the runs are submitted once they are all up. */
  workers?: number;
  /** Heap is sampled after GC every this many runs (soak). */
  sampleEvery?: number;
}

export interface Phase {
  name: string;
  spec: PhaseSpec;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  sim: SimFlags;
  phases: Phase[];
  /** Only this project runs it (it measures something peers do not have). */
  oursOnly?: boolean;
  /** Peers that run even when peers are off: the scenario's figure is a difference from theirs. */
  baseline?: FrameworkId[];
  /** The stores it runs on (all when absent). */
  stores?: BenchStoreKind[];
}

const SERVING: SimFlags = { slots: 16, ttftMs: 100, msPerToken: 5 };
const ZERO_LATENCY: SimFlags = { slots: 64, ttftMs: 0, msPerToken: 0, prefillMsPer1kTokens: 0 };

export function scenarios(quick: boolean): Scenario[] {
  const n = quick ? 40 : 500;
  const flood = quick ? 40 : 400;
  const interactive = quick ? 5 : 20;
  const fairA = quick ? 2 : 10;
  const list: Scenario[] = [
    {
      id: 'capacity',
      title: `1. Capacity: ${n} agents × 5 tool steps, 16 slots`,
      sim: SERVING,
      phases: [{ name: 'main', spec: { n, steps: 5, toolMs: 20 } }],
    },
    {
      id: 'queue0',
      title: `2. No provider queue (--queue-limit 0): ${n} × 5`,
      sim: { ...SERVING, queueLimit: 0 },
      phases: [{ name: 'main', spec: { n, steps: 5, toolMs: 20 } }],
    },
    {
      id: 'rpm300',
      title: '3a. Rate limit --rpm 300: 100 × 5',
      sim: { ...SERVING, rpm: 300 },
      phases: [{ name: 'main', spec: { n: 100, steps: 5, toolMs: 20 } }],
    },
    {
      id: 'rpm100',
      title: '3b. Rate limit --rpm 100: 150 × 1',
      sim: { ...SERVING, rpm: 100 },
      phases: [{ name: 'main', spec: { n: 150, steps: 1, toolMs: 20 } }],
    },
    {
      id: 'priority',
      title: `4. Priority: ${interactive} interactive runs (one per 250 ms) behind a flood of ${flood}`,
      sim: SERVING,
      phases: [
        {
          name: 'idle',
          spec: { n: interactive, steps: 5, toolMs: 20, interactive: { from: 0, startMs: 0, everyMs: 250 } },
        },
        {
          name: 'flood',
          spec: {
            n: flood + interactive,
            steps: 5,
            toolMs: 20,
            interactive: { from: flood, startMs: 1_000, everyMs: 250 },
          },
        },
      ],
    },
    {
      id: 'fairness',
      title: `5. Fairness: workspace A ${fairA} agents, B ${fairA * 10}, both backlogged`,
      sim: SERVING,
      phases: [{ name: 'main', spec: { n: fairA * 11, steps: 5, toolMs: 20, workspaceA: { everyNth: 11 } } }],
    },
    {
      id: 'overhead',
      title: `6. Overhead: ${quick ? 40 : 200} × 5, zero model latency, 64 slots, tool 0 ms`,
      sim: ZERO_LATENCY,
      phases: [{ name: 'main', spec: { n: quick ? 40 : 200, steps: 5, toolMs: 0 } }],
    },
    {
      id: 'paused',
      title: `7b. Heap per paused run, ${quick ? '200' : '10,000'} runs paused (ours only)`,
      // All runs are put in flight at once here: a deep queue keeps the set-up free of 429s.
      sim: { ...ZERO_LATENCY, queueLimit: 100_000 },
      phases: [{ name: 'main', spec: { n: quick ? 200 : 10_000, steps: 1, toolMs: 0 } }],
      oursOnly: true,
    },
    {
      id: 'single-chain',
      title: `8. Single chain: one agent at a time, 20 tool steps, zero model latency (${quick ? 4 : 11} chains, the first a warm-up)`,
      sim: ZERO_LATENCY,
      phases: [{ name: 'main', spec: { n: quick ? 4 : 11, steps: 20, toolMs: 0, sequential: true } }],
      baseline: ['naive'],
    },
    {
      id: 'two-worker',
      title: `9. Two worker processes on one PostgreSQL database vs one: ${quick ? 60 : 300} × 5, zero model latency`,
      sim: ZERO_LATENCY,
      phases: [1, 2].map((workers) => ({
        name: workers === 1 ? 'one' : 'two',
        spec: { n: quick ? 60 : 300, steps: 5, toolMs: 0, workers },
      })),
      oursOnly: true,
      stores: ['postgres'],
    },
    {
      id: 'soak',
      title: `10. Soak: ${quick ? '500' : '10,000'} runs × 1 tool step, zero model latency, heap after GC every ${quick ? 100 : 1_000} runs (ours only)`,
      sim: ZERO_LATENCY,
      phases: [
        {
          name: 'main',
          spec: { n: quick ? 500 : 10_000, steps: 1, toolMs: 0, sampleEvery: quick ? 100 : 1_000 },
        },
      ],
      oursOnly: true,
    },
  ];
  // A rate-limit window is 60 s: those scenarios cannot be scaled under a minute.
  return quick ? list.filter((s) => s.id !== 'rpm300' && s.id !== 'rpm100') : list;
}
