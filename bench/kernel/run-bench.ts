// npm run bench:kernel -- [--json] [--quick] [--only <ids>] [--peers none|all|<ids>] [--store pglite|postgres]
// Runs every framework × scenario against a fresh simulator, each framework in its own process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchStoreKind } from './bench-store.ts';
import type { ChildRequest, ChildResult } from './child.ts';
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
  headline,
  type PhaseRecord,
  type ScenarioRecord,
} from './summary.ts';

const USAGE = `usage: npm run bench:kernel -- [--json] [--quick] [--only ${SCENARIO_IDS.join(',')}]
       [--peers none|all|${PEER_IDS.join(',')}] [--store pglite|postgres] [--fresh]
--quick   scaled down for CI (no rate-limit scenarios; peers off unless --peers)
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
    store: { type: 'string', default: 'pglite' },
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
const store = values.store as BenchStoreKind;
if (store !== 'pglite' && store !== 'postgres') fail(`--store must be pglite or postgres, not ${store}`);
const only = values.only?.split(',').map((s) => s.trim()) ?? [];
for (const id of only) if (!SCENARIO_IDS.includes(id as ScenarioId)) fail(`unknown scenario ${id}`);
const peersArg = values.peers ?? (quick ? 'none' : 'all');
const peers: FrameworkId[] =
  peersArg === 'none' ? [] : peersArg === 'all' ? [...PEER_IDS] : (peersArg.split(',') as FrameworkId[]);
for (const peer of peers) if (!PEER_IDS.includes(peer)) fail(`unknown peer ${peer}`);
const selected = scenarios(quick).filter((s) => only.length === 0 || only.includes(s.id));

/** Runs one child process; its last stdout line is its result. */
function runChild(request: ChildRequest, label: string): Promise<ChildResult> {
  const flags = request.scenario === 'paused' ? ['--expose-gc'] : [];
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

async function runScenario(scenario: Scenario, framework: FrameworkId): Promise<ScenarioRecord> {
  const phases: PhaseRecord[] = [];
  for (const phase of scenario.phases) {
    const label = `${scenario.id}/${framework}/${phase.name}`;
    const sim = await startSim(scenario.sim);
    const loadBefore = loadavg()[0] ?? 0;
    try {
      const started = performance.now();
      const child = await runChild(
        { framework, scenario: scenario.id, spec: phase.spec, baseURL: sim.url, store, sim: scenario.sim },
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

const base = `${RESULTS}kernel${quick ? '-quick' : ''}${store === 'postgres' ? '-postgres' : ''}`;
const frameworks: FrameworkId[] = ['agentOs', ...peers];
const records: ScenarioRecord[] = [];
if ((only.length > 0 || values.render) && !values.fresh && existsSync(`${base}.json`)) {
  // Keep what this invocation does not measure again.
  const previous = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { records: ScenarioRecord[] };
  records.push(
    ...previous.records.filter((r) => !(only.includes(r.scenario) && frameworks.includes(r.framework))),
  );
}
for (const scenario of values.render ? [] : selected) {
  progress(scenario.title);
  for (const framework of frameworks) {
    if (scenario.oursOnly === true && framework !== 'agentOs') continue;
    records.push(await runScenario(scenario, framework));
  }
}

const all = scenarios(quick);
const figures: Partial<Record<FrameworkId, FiguresByScenario>> = {};
const dates: Partial<Record<string, string>> = {};
let gateway: string | null = null;
for (const record of records) {
  const scenario = all.find((s) => s.id === record.scenario);
  if (scenario === undefined) continue;
  const byScenario = figures[record.framework] ?? {};
  byScenario[record.scenario] = figuresOf(scenario, record);
  figures[record.framework] = byScenario;
  dates[record.scenario] = record.date.slice(0, 16).replace('T', ' ');
  for (const { child } of record.phases) if (child.ok && child.gateway !== null) gateway = child.gateway;
}
const ours = figures.agentOs ?? {};
const summary = {
  ...headline(ours, figures),
  agentOs: ours,
  peers: Object.fromEntries(PEER_IDS.map((id) => [id, figures[id] ?? {}])),
  settings: { quick, store, gateway, peers, scenarios: [...new Set(records.map((r) => r.scenario))] },
  machine: machine(),
  packages: packageVersions(),
};

mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${base}.json`, `${JSON.stringify({ records }, null, 2)}\n`);
const markdown = renderReport({
  headline: headline(ours, figures),
  figures,
  scenarios: all,
  dates,
  store,
  gateway,
  quick,
});
writeFileSync(`${base}.md`, markdown);
progress(`wrote ${base}.md`);
if (!values.json) process.stdout.write(`${markdown}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
