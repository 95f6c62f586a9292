// bench/results/kernel.md: the figures as tables, with the machine they were measured on.
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import type { BenchStoreKind } from './bench-store.ts';
import { GOALS } from './goals.ts';
import { type FrameworkId, PEER_IDS, type Scenario } from './scenarios.ts';
import type { SimFlags } from './sim-server.ts';
import type { Figures, FiguresByScenario, Headline } from './summary.ts';

export const STORE_LABELS: Record<BenchStoreKind, string> = {
  pglite: 'Agent OS on PGlite (ours)',
  postgres: 'Agent OS on PostgreSQL (ours)',
};

export const FRAMEWORK_LABELS: Record<FrameworkId, string> = {
  agentOs: 'Agent OS (ours)',
  naive: 'naive (AI SDK generateText)',
  langgraph: 'LangGraph.js',
  openaiAgents: 'OpenAI Agents SDK',
};

const PACKAGES = [
  'ai',
  '@ai-sdk/openai-compatible',
  '@langchain/langgraph',
  '@langchain/openai',
  '@langchain/core',
  '@openai/agents',
  'openai',
  '@electric-sql/pglite',
];

export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
      versions[name] = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'not installed';
    }
  }
  return versions;
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

function simFlagsText(flags: SimFlags): string {
  return Object.entries(flags)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}

const cell = (value: number | string | null | undefined): string =>
  value === null || value === undefined ? '—' : String(value).replaceAll('|', '\\|');

function scenarioTable(rows: Array<[string, Figures]>): string {
  const keys = [...new Set(rows.flatMap(([, figures]) => Object.keys(figures)))];
  const header = `| framework | ${keys.join(' | ')} |`;
  const rule = `| --- | ${keys.map(() => '---').join(' | ')} |`;
  const lines = rows.map(
    ([label, figures]) => `| ${label} | ${keys.map((k) => cell(figures[k])).join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n');
}

export interface ReportInput {
  headlines: Partial<Record<BenchStoreKind, Headline>>;
  ours: Partial<Record<BenchStoreKind, FiguresByScenario>>;
  peers: Partial<Record<FrameworkId, FiguresByScenario>>;
  scenarios: Scenario[];
  dates: Partial<Record<string, string>>;
  gateway: string | null;
  quick: boolean;
}

/** Figure | goal | one column per store, a goal's figure marked met (✓) or missed (✗). */
function headlineTable(headlines: Partial<Record<BenchStoreKind, Headline>>): string[] {
  const stores = (Object.keys(STORE_LABELS) as BenchStoreKind[]).filter((s) => headlines[s] !== undefined);
  const keys = [...new Set(stores.flatMap((s) => Object.keys(headlines[s] ?? {})))] as Array<keyof Headline>;
  const mark = (key: keyof Headline, store: BenchStoreKind): string => {
    const value = headlines[store]?.[key] ?? null;
    const bound = GOALS.find((g) => g.figure === key)?.bound(store);
    if (value === null || bound === undefined || bound === null) return cell(value);
    const met =
      (bound.max === undefined || value <= bound.max) && (bound.min === undefined || value >= bound.min);
    return `${value} ${met ? '✓' : '✗'}`;
  };
  return [
    `| figure | goal | ${stores.map((s) => (s === 'pglite' ? 'PGlite' : 'PostgreSQL')).join(' | ')} |`,
    `| --- | --- | ${stores.map(() => '---').join(' | ')} |`,
    ...keys.map(
      (key) =>
        `| ${key} | ${GOALS.find((g) => g.figure === key)?.text ?? ''} | ${stores.map((s) => mark(key, s)).join(' | ')} |`,
    ),
  ];
}

export function renderReport(input: ReportInput): string {
  const m = machine();
  const stores = (Object.keys(STORE_LABELS) as BenchStoreKind[]).filter((s) => input.ours[s] !== undefined);
  const out: string[] = [
    '# Kernel benchmark',
    '',
    `\`npm run bench:kernel -- --json${input.quick ? ' --quick' : ''}\` — Agent OS on each store against its peers, every framework in its own`,
    'process against a fresh `llm-sim` process per framework × scenario (`../shared/bench/llm-sim`).',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; written ${m.date}.`,
    `Agent OS: stores ${stores.join(', ')}, model gateway \`${input.gateway ?? 'unknown'}\` (createKernel's default), worker concurrency = agents, leaseMs 30000, pollMs 20.`,
    `Packages: ${Object.entries(packageVersions())
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    '## Headline (ours, per store; goals of issue 18)',
    '',
    ...headlineTable(input.headlines),
    '',
  ];
  for (const scenario of input.scenarios) {
    const rows: Array<[string, Figures]> = [];
    for (const store of stores) {
      const figures = input.ours[store]?.[scenario.id];
      if (figures !== undefined) rows.push([STORE_LABELS[store], figures]);
    }
    for (const peer of PEER_IDS) {
      const figures = input.peers[peer]?.[scenario.id];
      if (figures !== undefined) rows.push([FRAMEWORK_LABELS[peer], figures]);
    }
    if (rows.length === 0) continue;
    out.push(
      `## ${scenario.title}`,
      '',
      `Simulator: ${simFlagsText(scenario.sim)}. Measured ${input.dates[scenario.id] ?? '?'}.`,
      '',
    );
    out.push(scenarioTable(rows), '');
  }
  out.push(
    '## How to read it',
    '',
    '- **makespanRatio** = makespan ÷ max(chain bound, capacity bound[, rate bound]) (llm-sim README). The capacity',
    '  bound is Σ L / K with Σ L from the token counts the simulator reports for the calls it completed; runs that',
    '  failed made fewer calls, so read the ratio together with `failed`. `busySlotBoundMs` is Σ busySlotMs / K.',
    '- Makespan runs from the first arrival to the last run seen ending (set-up and tear-down excluded).',
    '- **interactiveP95Ratio**: p95 latency of the interactive runs behind the flood ÷ p95 of the same arrivals on an',
    '  idle simulator. Peers have no priorities: their interactive runs queue like the rest.',
    '- **Fairness**: slot time per workspace estimated from each model call seen to complete (a tool execution',
    '  or a run answer), weighted by its modelled latency, from the start until the first workspace has no run',
    '  left. Peers have no tenants; A and B are measured anyway. Jain = (a + b)² / (2 (a² + b²)).',
    '- **Overhead**: makespan ÷ model calls served, with a zero-latency simulator; ours journals every step',
    '  durably, LangGraph.js checkpoints in memory.',
    "- **Peak RSS** is sampled every 20 ms in the framework's own process during scenario 1.",
    '- **Heap per paused run**: heapUsed after GC with the runs paused (tool outcome unknown after a worker',
    '  stop) minus heapUsed after GC before they were submitted, ÷ paused runs.',
    '- Every framework keeps its default retries: AI SDK 2, openai client 2 (Agents SDK), LangChain 6.',
    '- **Single chain**: the time from one tool execution to the next within a run (one model call and all the',
    '  bookkeeping around it), chains one after another, the first left out as a warm-up. **addedStepP50Ms** is',
    "  ours minus the naive loop's, the same calls against the same zero-latency simulator.",
    '- **Two workers**: `agentos worker` processes (startAgentOs, worker role) sharing one PostgreSQL database;',
    '  every run is in flight at once (each process drives an equal share), steps = model calls the simulator',
    '  served ÷ makespan. The processes share the 2 cores with the simulator and PostgreSQL.',
    '- **Soak**: heapUsed after GC every batch of runs; **bytesPerRun** is the least-squares slope from the first',
    '  batch on (the first batch warms caches); first/last heap are the samples after the first and last batch.',
    '- **load1m** is the highest 1-minute load average seen around the scenario. The machine has 2 cores and',
    '  the simulator shares them with the framework; above ~2, other work was competing and timings are inflated.',
    '',
  );
  return out.join('\n');
}
