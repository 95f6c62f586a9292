/**
 * Chaos test of durable runs: many agent runs through worker processes that are SIGKILLed at random
 * moments (and kill themselves just before/after side effects and just after journal commits), then
 * restarted. Counts runs that never ended, side effects executed more than once, and runs stuck.
 *
 *   npm run chaos -- [--runs 200] [--kills 100] [--workers 3] [--json]
 *
 * With DATABASE_URL set it runs on a fresh PostgreSQL database with several worker processes;
 * otherwise on PGlite with one process (api + worker) that is restarted after every kill.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChaosArgs } from './chaos/chaos-args.ts';
import { chaosModel } from './chaos/chaos-model.ts';
import { type ChaosReport, verifyEffects } from './chaos/chaos-verify.ts';
import { runPgliteChaos } from './chaos/pglite-chaos.ts';
import { runPostgresChaos } from './chaos/postgres-chaos.ts';

const args = parseChaosArgs(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), 'agentos-chaos-'));
const progress = (message: string) => {
  if (!args.quiet) process.stderr.write(`[chaos] ${message}\n`);
};
const model = await chaosModel();
try {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  progress(
    `store ${databaseUrl ? 'postgres' : 'pglite'}, ${args.runs} runs, ${args.kills} kills, dir ${dir}`,
  );
  const outcome = databaseUrl
    ? await runPostgresChaos({ ...args, dir, modelUrl: model.url, databaseUrl, progress })
    : await runPgliteChaos({ ...args, dir, modelUrl: model.url, progress });
  const report: ChaosReport = { ...outcome.counts, ...verifyEffects(dir, outcome.steps) };
  const line = {
    store: outcome.store,
    runs: args.runs,
    kills: outcome.kills,
    lost: report.lost,
    duplicatedEffects: report.duplicatedEffects,
    stuck: report.stuck,
    succeeded: report.succeeded,
    failed: report.failed,
    failures: report.failures,
    killPoints: outcome.killPoints,
    effects: report.effects,
    missingEffects: report.missingEffects,
    seconds: outcome.seconds,
  };
  if (!args.json) {
    process.stdout.write(
      `store ${line.store}: ${line.runs} runs, ${line.kills} kills → lost ${line.lost}, duplicated effects ${line.duplicatedEffects}, stuck ${line.stuck}\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exitCode =
    line.lost === 0 && line.duplicatedEffects === 0 && line.stuck === 0 && line.missingEffects === 0 ? 0 : 1;
} finally {
  await model.close();
}
