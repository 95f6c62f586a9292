import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/** The Node release lines the project's `engines.node` claims; `.ci/run` runs the tests on 20 and 24. */
export const NODE_LINES = [20, 22, 24] as const;

/** An installed package whose `engines.node` leaves out versions of a line the project claims. */
export interface EngineMismatch {
  package: string;
  engines: string;
  line: number;
}

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: string };
}

function readManifest(path: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Every package.json under node_modules, nested node_modules included. */
function installedManifests(nodeModules: string): Manifest[] {
  if (!existsSync(nodeModules)) return [];
  const out: Manifest[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const dir = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      out.push(...installedManifests(dir));
      continue;
    }
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest !== undefined) out.push(manifest);
    out.push(...installedManifests(join(dir, 'node_modules')));
  }
  return out;
}

/** The versions of `line` that `range` admits, as a range; null when it admits none of them. */
export function rangeWithinLine(range: string, line: number): string | null {
  const within = new semver.Range(range).set
    .map((comparators) =>
      `${comparators.map((c) => c.value).join(' ')} >=${line}.0.0 <${line + 1}.0.0-0`.trim(),
    )
    .filter((set) => semver.minVersion(set) !== null);
  return within.length === 0 ? null : within.join(' || ');
}

/**
 * The installed packages that would refuse (npm's EBADENGINE) a Node version the project admits in one
 * of `lines`; throws when the project's own range admits no version of a claimed line.
 */
export function engineMismatches(root: string, lines: readonly number[] = NODE_LINES): EngineMismatch[] {
  const project = readManifest(join(root, 'package.json'))?.engines?.node;
  if (project === undefined) throw new Error(`${root}/package.json has no engines.node`);
  const claimed = lines.map((line) => {
    const within = rangeWithinLine(project, line);
    if (within === null) throw new Error(`engines.node "${project}" admits no Node ${line}`);
    return { line, within };
  });
  const mismatches: EngineMismatch[] = [];
  for (const manifest of installedManifests(join(root, 'node_modules'))) {
    const engines = manifest.engines?.node;
    if (typeof engines !== 'string' || semver.validRange(engines) === null) continue;
    for (const { line, within } of claimed) {
      if (!semver.subset(within, engines)) {
        mismatches.push({ package: `${manifest.name}@${manifest.version}`, engines, line });
      }
    }
  }
  return mismatches;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mismatches = engineMismatches(process.cwd());
  for (const m of mismatches)
    console.log(`${m.package} requires node ${m.engines}: not every Node ${m.line}`);
  console.log(
    `engines: ${mismatches.length} packages exclude a claimed Node line (${NODE_LINES.join(', ')})`,
  );
  if (mismatches.length > 0) process.exitCode = 1;
}
