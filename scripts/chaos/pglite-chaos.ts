import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFirstStart } from '../../src/core/identity/first-start.ts';
import { openStore } from '../../src/core/store/open-store.ts';
import type { ChaosArgs } from './chaos-args.ts';
import { type ChaosProcess, spawnChaosProcess } from './chaos-process.ts';
import { CHAOS_AGENT, completedToolSteps, createChaosAgent, finalCounts } from './chaos-store.ts';
import { type ChaosOutcome, randomBetween, sleep, tallyKillPoints } from './chaos-verify.ts';

interface PgliteChaosOptions extends ChaosArgs {
  dir: string;
  modelUrl: string;
  progress: (message: string) => void;
}

interface RunList {
  runs: Array<{ status: string }>;
}

/** One process (api + worker) on the embedded store: runs are submitted over HTTP; it is killed and restarted. */
export async function runPgliteChaos(options: PgliteChaosOptions): Promise<ChaosOutcome> {
  const started = Date.now();
  const home = join(options.dir, 'home');
  const setup = await openStore({ home });
  const first = await ensureFirstStart(setup, home);
  if (!first.created) throw new Error('expected an empty chaos home');
  await createChaosAgent(setup, first.workspaceId);
  await setup.close();
  const key = readFileSync(join(home, 'admin-api-key'), 'utf8').trim();

  const env = (selfKill: number) => ({
    DATABASE_URL: '',
    AGENTOS_HOME: home,
    PORT: '0',
    CHAOS_DIR: options.dir,
    CHAOS_ROLES: 'api,worker',
    CHAOS_SELF_KILL: String(selfKill),
    AGENTOS_COMPATIBLE_NAME: 'chaos',
    AGENTOS_COMPATIBLE_BASE_URL: options.modelUrl,
    AGENTOS_LEASE_MS: String(options.leaseMs),
    AGENTOS_WORKER_CONCURRENCY: String(options.concurrency),
    AGENTOS_POLL_MS: '50',
  });
  let current: ChaosProcess | undefined;
  const api = async (url: string, path: string, body?: unknown, idempotencyKey?: string) => {
    const response = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json() as Promise<unknown>;
  };

  let kills = 0;
  let external = 0;
  let submitted = 0;
  try {
    while (kills < options.kills) {
      current = spawnChaosProcess(env(options.selfKill));
      const url = await current.ready.catch(() => null);
      if (url !== null) {
        const liveFor = randomBetween(150, 900);
        const until = Date.now() + liveFor;
        const perLife = Math.ceil((options.runs - submitted) / Math.max(1, options.kills - kills));
        for (let i = 0; i < perLife && submitted < options.runs && Date.now() < until; i++) {
          try {
            // The key makes a retry after a kill (request done, answer lost) return the same run.
            const run = { agent: CHAOS_AGENT, task: `chaos ${submitted}`, priority: 'standard' };
            await api(url, '/api/runs', run, `chaos-${submitted}`);
            submitted++;
          } catch {
            break;
          }
        }
        await sleep(Math.max(0, until - Date.now()));
        if (current.child.exitCode === null && current.child.signalCode === null) {
          current.child.kill('SIGKILL');
          external++;
        }
      }
      const { signal } = await current.exited;
      if (signal === 'SIGKILL') kills++;
      if (kills % 10 === 0) options.progress(`kills ${kills}, submitted ${submitted}`);
    }
    const lastKillAt = Date.now();
    options.progress(`kill phase over after ${kills} kills (${submitted} runs submitted); draining`);
    current = spawnChaosProcess(env(0));
    const url = await current.ready;
    if (url === null) throw new Error('the chaos process serves no API');
    while (submitted < options.runs) {
      await api(
        url,
        '/api/runs',
        { agent: CHAOS_AGENT, task: `chaos ${submitted}`, priority: 'standard' },
        `chaos-${submitted}`,
      );
      submitted++;
    }
    const stuckDeadline = lastKillAt + options.leaseMs + 15_000;
    let stuck = -1;
    for (;;) {
      const { runs } = (await api(url, '/api/runs?limit=500')) as RunList;
      const open = runs.filter((run) => ['queued', 'running', 'paused'].includes(run.status)).length;
      if (stuck < 0 && (open === 0 || Date.now() >= stuckDeadline)) stuck = open;
      if (open === 0 || Date.now() >= lastKillAt + 120_000) break;
      await sleep(250);
    }
    current.child.kill('SIGTERM');
    await current.exited;
    const store = await openStore({ home });
    try {
      return {
        store: 'pglite',
        kills,
        killPoints: tallyKillPoints(options.dir, external),
        counts: await finalCounts(store, stuck),
        steps: await completedToolSteps(store),
        seconds: Math.round((Date.now() - started) / 1000),
      };
    } finally {
      await store.close();
    }
  } finally {
    current?.child.kill('SIGKILL');
  }
}
