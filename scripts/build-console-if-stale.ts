import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What the console build reads: its sources and config, the typed client it imports, the locked dependencies. */
export const CONSOLE_INPUTS = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'console/tsconfig.json',
  'src/surfaces/client',
  'package-lock.json',
];

/** The file in console/dist that records which inputs the build there was made from. */
export const STAMP_FILE = 'console/dist/.build-stamp';

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** A SHA-256 over the path and content of every input file, in a fixed order. */
export function consoleInputsHash(root: string, inputs: readonly string[] = CONSOLE_INPUTS): string {
  const hash = createHash('sha256');
  const files = inputs.flatMap((input) => filesUnder(root, input)).map((file) => file.split(sep).join('/'));
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export interface BuildIfStaleOptions {
  /** The repository root. */
  root: string;
  /** The build command and its arguments (default `npm run build:console`). */
  command?: readonly [string, ...string[]];
  inputs?: readonly string[];
  log?: (message: string) => void;
}

/**
 * Builds the console unless console/dist holds a build whose stamp matches the inputs' hash now;
 * writes the stamp after a successful build, throws when the build fails.
 */
export function buildConsoleIfStale(options: BuildIfStaleOptions): 'built' | 'fresh' {
  const {
    root,
    command = ['npm', 'run', 'build:console'],
    inputs = CONSOLE_INPUTS,
    log = console.log,
  } = options;
  const stamp = join(root, STAMP_FILE);
  const hash = consoleInputsHash(root, inputs);
  const built = existsSync(join(root, 'console/dist/index.html')) && existsSync(stamp);
  if (built && readFileSync(stamp, 'utf8').trim() === hash) {
    log('console: console/dist is up to date with its sources, not rebuilding');
    return 'fresh';
  }
  log('console: sources changed since the last build, building console/dist');
  const [program, ...args] = command;
  const result = spawnSync(program, args, { cwd: root, stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0)
    throw new Error(`console build failed: ${command.join(' ')} exited ${result.status ?? result.signal}`);
  writeFileSync(stamp, `${hash}\n`);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildConsoleIfStale({ root: process.cwd() });
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
