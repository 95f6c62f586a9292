/**
 * Memory retrieval benchmark.
 *
 *   npm run bench:memory -- --split dev|heldout|all [--store pglite|postgres] [--json]
 *   npm run bench:memory -- --scale 100000 [--store pglite|postgres] [--queries 500] [--json]
 *
 * LoCoMo mode follows ../shared/bench/locomo/README.md: every dialogue turn is one `episode` memory in
 * its conversation's own scope, each question is answered by memory search, recall@5/10/25 is the share
 * of gold evidence turns in the top k. Tune on --split dev only; heldout is for reporting.
 * Scale mode measures search latency over N synthetic memories in one scope.
 * With --store postgres a fresh database is created next to DATABASE_URL's and dropped afterwards.
 * The last stdout line is the result as JSON.
 */
import { parseBenchArgs } from './bench-args.ts';
import { runLocomo } from './locomo-bench.ts';
import { runScale } from './scale-bench.ts';

const args = parseBenchArgs(process.argv.slice(2));
const progress = (message: string) => process.stderr.write(`[bench:memory] ${message}\n`);

const result =
  args.scale === undefined
    ? await runLocomo({
        split: args.split,
        store: args.store,
        ...(args.tuning === undefined ? {} : { tuning: args.tuning }),
        progress,
      })
    : await runScale({ memories: args.scale, queries: args.queries, store: args.store, progress });

if (!args.json) {
  for (const [key, value] of Object.entries(result)) {
    process.stdout.write(`${key.padEnd(12)} ${typeof value === 'object' ? JSON.stringify(value) : value}\n`);
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
