export interface ChaosArgs {
  runs: number;
  kills: number;
  workers: number;
  concurrency: number;
  leaseMs: number;
  selfKill: number;
  json: boolean;
  quiet: boolean;
}

const usage =
  'usage: npm run chaos -- [--runs N] [--kills N] [--workers N] [--concurrency N] [--lease-ms N] [--self-kill P] [--json] [--quiet]';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${usage}\n`);
  process.exit(2);
}

export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const args: ChaosArgs = {
    runs: 200,
    kills: 100,
    workers: 3,
    concurrency: 8,
    leaseMs: 2_000,
    selfKill: 0.01,
    json: false,
    quiet: false,
  };
  const integers = {
    '--runs': 'runs',
    '--kills': 'kills',
    '--workers': 'workers',
    '--concurrency': 'concurrency',
    '--lease-ms': 'leaseMs',
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--json') args.json = true;
    else if (flag === '--quiet') args.quiet = true;
    else if (flag in integers) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) fail(`${flag} needs a positive integer`);
      args[integers[flag as keyof typeof integers]] = value;
    } else if (flag === '--self-kill') {
      const value = Number(argv[++i]);
      if (!(value >= 0 && value < 1)) fail('--self-kill needs a probability in [0, 1)');
      args.selfKill = value;
    } else fail(`unknown argument ${flag}`);
  }
  return args;
}
