import type { StoreKind } from '../../src/core/store/sql-client.ts';
import type { SearchTuning } from '../../src/plugins/memory/memory-search.ts';
import type { Split } from './locomo-data.ts';

export interface BenchArgs {
  split: Split;
  store: StoreKind;
  /** Synthetic memories for the latency run; undefined runs the LoCoMo retrieval benchmark. */
  scale: number | undefined;
  queries: number;
  /** Search tuning overrides as JSON, for experiments on the dev split. */
  tuning: Partial<SearchTuning> | undefined;
  json: boolean;
}

const USAGE =
  'usage: npm run bench:memory -- [--split dev|heldout|all] [--store pglite|postgres] [--scale N [--queries N]] [--tuning JSON] [--json]';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positive(flag: string, value: string | undefined): number {
  if (value === undefined || !/^[1-9][0-9]*$/.test(value)) fail(`${flag} needs a positive whole number`);
  return Number(value);
}

function parseTuning(value: string | undefined): Partial<SearchTuning> {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  fail('--tuning needs a JSON object, e.g. {"k1":1.2}');
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    split: 'dev',
    store: 'pglite',
    scale: undefined,
    queries: 500,
    tuning: undefined,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--json') args.json = true;
    else if (flag === '--split') {
      if (value !== 'dev' && value !== 'heldout' && value !== 'all') fail('--split is dev, heldout or all');
      args.split = value;
      i++;
    } else if (flag === '--store') {
      if (value !== 'pglite' && value !== 'postgres') fail('--store is pglite or postgres');
      args.store = value;
      i++;
    } else if (flag === '--scale') {
      args.scale = positive(flag, value);
      i++;
    } else if (flag === '--tuning') {
      args.tuning = parseTuning(value);
      i++;
    } else if (flag === '--queries') {
      args.queries = positive(flag, value);
      i++;
    } else fail(`unknown argument "${flag}"`);
  }
  return args;
}
