import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConsoleIfStale, consoleInputsHash, STAMP_FILE } from '../../scripts/build-console-if-stale.ts';

/** A throwaway repository with console sources and the client the console imports. */
function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'console-build-'));
  const files: Record<string, string> = {
    'console/index.html': '<div id="root"></div>',
    'console/vite.config.ts': 'export default {};',
    'console/src/main.tsx': 'export const page = 1;',
    'console/src/pages/runs.tsx': 'export const runs = 1;',
    'src/surfaces/client/schema.d.ts': 'export interface paths {}',
    'package-lock.json': '{}',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A real build command: writes console/dist/index.html and counts its runs in builds.log. */
const fakeBuild: [string, ...string[]] = [
  process.execPath,
  '-e',
  "const fs = require('fs'); fs.mkdirSync('console/dist', { recursive: true }); fs.writeFileSync('console/dist/index.html', 'built'); fs.appendFileSync('builds.log', 'x');",
];

function builds(root: string): number {
  return existsSync(join(root, 'builds.log')) ? readFileSync(join(root, 'builds.log'), 'utf8').length : 0;
}

function run(root: string, command = fakeBuild): 'built' | 'fresh' {
  return buildConsoleIfStale({ root, command, log: () => {} });
}

describe('building the console only when it is stale', () => {
  it('builds when there is no build, then skips while nothing changed', () => {
    const root = repo();
    expect(run(root)).toBe('built');
    expect(readFileSync(join(root, STAMP_FILE), 'utf8').trim()).toBe(consoleInputsHash(root));
    expect(run(root)).toBe('fresh');
    expect(run(root)).toBe('fresh');
    expect(builds(root)).toBe(1);
  });

  it('rebuilds after a console source, a new source file or the typed client changes', () => {
    const root = repo();
    run(root);
    writeFileSync(join(root, 'console/src/pages/runs.tsx'), 'export const runs = 2;');
    expect(run(root)).toBe('built');
    writeFileSync(join(root, 'console/src/pages/new-page.tsx'), 'export const x = 1;');
    expect(run(root)).toBe('built');
    writeFileSync(join(root, 'src/surfaces/client/schema.d.ts'), 'export interface paths { a: 1 }');
    expect(run(root)).toBe('built');
    expect(run(root)).toBe('fresh');
    expect(builds(root)).toBe(4);
  });

  it('rebuilds when console/dist was removed even though the sources did not change', () => {
    const root = repo();
    run(root);
    rmSync(join(root, 'console/dist'), { recursive: true });
    expect(run(root)).toBe('built');
    expect(builds(root)).toBe(2);
  });

  it('throws on a failed build and writes no stamp, so the next start tries again', () => {
    const root = repo();
    expect(() => run(root, [process.execPath, '-e', 'process.exit(3)'])).toThrow(/exited 3/);
    expect(existsSync(join(root, STAMP_FILE))).toBe(false);
    expect(run(root)).toBe('built');
  });

  it('hashes the same inputs to the same value and ignores files outside them', () => {
    const root = repo();
    const before = consoleInputsHash(root);
    writeFileSync(join(root, 'README.md'), 'not a console input');
    expect(consoleInputsHash(root)).toBe(before);
  });
});
