import { join } from 'node:path';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import { migrate } from '../../src/core/store/migrate.ts';
import { PostgresStore } from '../../src/core/store/postgres-store.ts';
import { createTestDatabase } from '../../test/support/test-stores.ts';
import type { ChaosArgs } from './chaos-args.ts';
import { type ChaosProcess, spawnChaosProcess } from './chaos-process.ts';
import {
  completedToolSteps,
  createChaosAgent,
  finalCounts,
  nonTerminal,
  statusCounts,
} from './chaos-store.ts';
import { type ChaosOutcome, randomBetween, sleep, tallyKillPoints } from './chaos-verify.ts';

interface PostgresChaosOptions extends ChaosArgs {
  dir: string;
  modelUrl: string;
  databaseUrl: string;
  progress: (message: string) => void;
}

/** N worker processes share one PostgreSQL; a random one is killed, and any that dies is restarted. */
export async function runPostgresChaos(options: PostgresChaosOptions): Promise<ChaosOutcome> {
  const started = Date.now();
  const database = await createTestDatabase(options.databaseUrl);
  const store = await PostgresStore.open(database.url);
  const workers: Array<ChaosProcess | undefined> = [];
  let kills = 0;
  let external = 0;
  let restarting = true;
  try {
    await migrate(store);
    const workspace = await createWorkspace(store, 'chaos');
    const agentId = await createChaosAgent(store, workspace.id);
    const env = (selfKill: number) => ({
      DATABASE_URL: database.url,
      AGENTOS_HOME: join(options.dir, 'home'),
      CHAOS_DIR: options.dir,
      CHAOS_ROLES: 'worker',
      CHAOS_SELF_KILL: String(selfKill),
      AGENTOS_COMPATIBLE_NAME: 'chaos',
      AGENTOS_COMPATIBLE_BASE_URL: options.modelUrl,
      AGENTOS_LEASE_MS: String(options.leaseMs),
      AGENTOS_WORKER_CONCURRENCY: String(options.concurrency),
      AGENTOS_POLL_MS: '50',
    });
    let selfKill = options.selfKill;
    const launch = (slot: number) => {
      const worker = spawnChaosProcess(env(selfKill));
      workers[slot] = worker;
      void worker.exited.then(({ signal }) => {
        if (signal === 'SIGKILL') kills++;
        if (restarting && workers[slot] === worker) launch(slot);
      });
    };
    for (let slot = 0; slot < options.workers; slot++) launch(slot);
    await Promise.all(workers.map((w) => w?.ready.catch(() => null)));

    let submitted = 0;
    while (kills < options.kills || submitted < options.runs) {
      const batch = Math.ceil((options.runs - submitted) / Math.max(1, options.kills - kills));
      for (let i = 0; i < batch && submitted < options.runs; i++, submitted++) {
        await createRun(store, {
          workspaceId: workspace.id,
          agentId,
          agentVersion: 1,
          userId: null,
          input: { task: `chaos ${submitted}` },
          priority: 'standard',
        });
      }
      // Kill only a full cluster: otherwise kills outpace restarts and no run makes progress at all.
      await Promise.all(workers.map((w) => w?.ready.catch(() => null)));
      await sleep(randomBetween(80, 300));
      if (kills < options.kills) {
        const victim = workers[randomBetween(0, workers.length)];
        if (victim !== undefined && victim.child.exitCode === null && victim.child.signalCode === null) {
          victim.child.kill('SIGKILL');
          external++;
        }
      }
      if (kills % 10 === 0)
        options.progress(
          `kills ${kills}, submitted ${submitted}, states ${JSON.stringify(await statusCounts(store))}`,
        );
    }
    const lastKillAt = Date.now();
    options.progress(
      `kill phase over after ${kills} kills; restarting workers gracefully without self-kills`,
    );
    selfKill = 0;
    for (const worker of workers) worker?.child.kill('SIGTERM');

    const stuckDeadline = lastKillAt + options.leaseMs + 15_000;
    let stuck = -1;
    for (;;) {
      const open = nonTerminal(await statusCounts(store));
      if (stuck < 0 && (open === 0 || Date.now() >= stuckDeadline)) stuck = open;
      if (open === 0 || Date.now() >= lastKillAt + 90_000) break;
      await sleep(200);
    }
    restarting = false;
    for (const worker of workers) worker?.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w?.exited));
    return {
      store: 'postgres',
      kills,
      killPoints: tallyKillPoints(options.dir, external),
      counts: await finalCounts(store, stuck),
      steps: await completedToolSteps(store),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    restarting = false;
    for (const worker of workers) worker?.child.kill('SIGKILL');
    await store.close();
    await database.drop();
  }
}
