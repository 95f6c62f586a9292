// npm run bench:kernel -- [--json] [--quick] [--only <ids>] [--peers none|all|<ids>] [--store both|pglite|postgres]
// Runs every framework × scenario against a fresh simulator, each framework in its own process; Agent OS once
// per store, the peers once.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchStoreKind } from './bench-store.ts';
import type { ChildRequest, ChildResult } from './child.ts';
import { goalsMet } from './goals.ts';
import { machine, packageVersions, renderReport } from './report.ts';
import {
  type FrameworkId,
  PEER_IDS,
  SCENARIO_IDS,
  type Scenario,
  type ScenarioId,
  scenarios,
} from './scenarios.ts';
import { startSim } from './sim-server.ts';
import {
  type FiguresByScenario,
  figuresOf,
  type Headline,
  headline,
  type PhaseRecord,
  type ScenarioRecord,
} from './summary.ts';

const USAGE = `usage: npm run bench:kernel -- [--json] [--quick] [--only ${SCENARIO_IDS.join(',')}]
       [--peers none|all|${PEER_IDS.join(',')}] [--store both|pglite|postgres] [--fresh]
--quick   scaled down for CI (no rate-limit scenarios; peers off unless --peers, but a scenario
          measured as a difference from a peer runs that peer)
--store   where Agent OS keeps its runs (default both; PostgreSQL databases are created on DATABASE_URL)
--only    run these scenarios and merge them into the saved results (unless --fresh)
--render  run nothing: rewrite the report from the saved results`;

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const CHILD_TIMEOUT_MS = 20 * 60_000;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    peers: { type: 'string' },
    store: { type: 'string', default: 'both' },
    fresh: { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const quick = values.quick;
const STORES: readonly BenchStoreKind[] = ['pglite', 'postgres'];
if (values.store !== 'both' && !STORES.includes(values.store as BenchStoreKind))
  fail(`--store must be both, pglite or postgres, not ${values.store}`);
const stores: BenchStoreKind[] = values.store === 'both' ? [...STORES] : [values.store as BenchStoreKind];
if (stores.includes('postgres') && !values.render && (process.env.DATABASE_URL ?? '') === '')
  fail(`--store ${values.store} needs DATABASE_URL (a PostgreSQL server the bench creates databases on)`);
const only = values.only?.split(',').map((s) => s.trim()) ?? [];
for (const id of only) if (!SCENARIO_IDS.includes(id as ScenarioId)) fail(`unknown scenario ${id}`);
const peersArg = values.peers ?? (quick ? 'none' : 'all');
const peers: FrameworkId[] =
  peersArg === 'none' ? [] : peersArg === 'all' ? [...PEER_IDS] : (peersArg.split(',') as FrameworkId[]);
for (const peer of peers) if (!PEER_IDS.includes(peer)) fail(`unknown peer ${peer}`);
const selected = scenarios(quick).filter((s) => only.length === 0 || only.includes(s.id));

/** Runs one child process; its last stdout line is its result. */
function runChild(request: ChildRequest, label: string): Promise<ChildResult> {
  const flags = request.scenario === 'paused' || request.scenario === 'soak' ? ['--expose-gc'] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', CHILD, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let forwarded = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (++forwarded <= 40) process.stderr.write(`  [${label}] ${line}\n`);
      else if (forwarded === 41) process.stderr.write(`  [${label}] … (more output suppressed)\n`);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        resolve({
          ok: false,
          unavailable: false,
          error: `child exited with ${code ?? signal} and no result`,
        });
      }
    });
  });
}

async function runScenario(
  scenario: Scenario,
  framework: FrameworkId,
  store: BenchStoreKind | null,
): Promise<ScenarioRecord> {
  const phases: PhaseRecord[] = [];
  for (const phase of scenario.phases) {
    const label = `${scenario.id}/${framework}${store === null ? '' : `@${store}`}/${phase.name}`;
    const sim = await startSim(scenario.sim);
    const loadBefore = loadavg()[0] ?? 0;
    try {
      const started = performance.now();
      const child = await runChild(
        {
          framework,
          scenario: scenario.id,
          spec: phase.spec,
          baseURL: sim.url,
          store: store ?? 'pglite',
          sim: scenario.sim,
        },
        label,
      );
      const stats = await sim.stats();
      const load: [number, number] = [loadBefore, loadavg()[0] ?? 0];
      phases.push({ phase: phase.name, child, stats, load });
      const wall = Math.round((performance.now() - started) / 1000);
      progress(
        child.ok
          ? `${label}: makespan ${Math.round(child.makespanMs)} ms, failed ${child.failed}/${child.n}, ` +
              `429s ${stats.rejected429}, utilisation ${stats.slotUtilisation?.toFixed(3) ?? '—'} ` +
              `(${wall} s, load ${load.map((l) => l.toFixed(1)).join('→')})`
          : `${label}: ${child.unavailable ? 'UNAVAILABLE' : 'ERROR'} ${child.error.split('\n')[0]}`,
      );
    } finally {
      await sim.stop();
    }
  }
  return { scenario: scenario.id, framework, date: new Date().toISOString(), store, quick, phases };
}

/** Who runs a scenario: Agent OS on each of its stores, then the peers asked for and its baseline peers. */
function runnersOf(scenario: Scenario): Array<[FrameworkId, BenchStoreKind | null]> {
  const ours = stores.filter((s) => scenario.stores === undefined || scenario.stores.includes(s));
  const theirs =
    scenario.oursOnly === true
      ? []
      : PEER_IDS.filter((p) => peers.includes(p) || scenario.baseline?.includes(p));
  return [
    ...ours.map((s): [FrameworkId, BenchStoreKind] => ['agentOs', s]),
    ...theirs.map((p): [FrameworkId, null] => [p, null]),
  ];
}

const base = `${RESULTS}kernel${quick ? '-quick' : ''}`;
const sameRunner = (
  a: ScenarioRecord,
  scenario: Scenario,
  [framework, store]: [FrameworkId, BenchStoreKind | null],
) => a.scenario === scenario.id && a.framework === framework && (a.store ?? null) === store;
const plan = values.render ? [] : selected.map((scenario) => ({ scenario, runners: runnersOf(scenario) }));
const records: ScenarioRecord[] = [];
const partial = only.length > 0 || values.render || stores.length < STORES.length;
if (partial && !values.fresh && existsSync(`${base}.json`)) {
  // Keep what this invocation does not measure again.
  const previous = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { records: ScenarioRecord[] };
  records.push(
    ...previous.records.filter(
      (r) => !plan.some(({ scenario, runners }) => runners.some((runner) => sameRunner(r, scenario, runner))),
    ),
  );
}
mkdirSync(RESULTS, { recursive: true });
const saveRecords = () => writeFileSync(`${base}.json`, `${JSON.stringify({ records }, null, 2)}\n`);
for (const { scenario, runners } of plan) {
  progress(scenario.title);
  for (const [framework, store] of runners) records.push(await runScenario(scenario, framework, store));
  // Saved as it goes: a long run stopped part-way keeps what it measured (`--render` reports it).
  saveRecords();
}

const all = scenarios(quick);
const ours: Partial<Record<BenchStoreKind, FiguresByScenario>> = {};
const theirs: Partial<Record<FrameworkId, FiguresByScenario>> = {};
const dates: Partial<Record<string, string>> = {};
let gateway: string | null = null;
for (const record of records) {
  const scenario = all.find((s) => s.id === record.scenario);
  if (scenario === undefined) continue;
  const byScenario: FiguresByScenario =
    (record.framework === 'agentOs' ? ours[record.store ?? 'pglite'] : theirs[record.framework]) ?? {};
  if (record.framework === 'agentOs') ours[record.store ?? 'pglite'] = byScenario;
  else theirs[record.framework] = byScenario;
  byScenario[record.scenario] = figuresOf(scenario, record);
  dates[record.scenario] = record.date.slice(0, 16).replace('T', ' ');
  for (const { child } of record.phases) if (child.ok && child.gateway !== null) gateway = child.gateway;
}
const measuredStores = STORES.filter((s) => ours[s] !== undefined);
const headlines: Partial<Record<BenchStoreKind, Headline>> = {};
for (const s of measuredStores) headlines[s] = headline(ours[s] ?? {}, theirs);
const summary = {
  agentOs: Object.fromEntries(
    measuredStores.map((s) => {
      const figures = headlines[s] ?? headline({}, theirs);
      return [s, { ...figures, goalsMet: goalsMet(figures, s), scenarios: ours[s] ?? {} }];
    }),
  ),
  peers: Object.fromEntries(PEER_IDS.map((id) => [id, theirs[id] ?? {}])),
  settings: {
    quick,
    stores: measuredStores,
    gateway,
    peers,
    scenarios: [...new Set(records.map((r) => r.scenario))],
  },
  machine: machine(),
  packages: packageVersions(),
};

saveRecords();
const markdown = renderReport({ headlines, ours, peers: theirs, scenarios: all, dates, gateway, quick });
writeFileSync(`${base}.md`, markdown);
progress(`wrote ${base}.md`);
if (!values.json) process.stdout.write(`${markdown}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
