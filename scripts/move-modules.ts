/**
 * Moves source files or folders and rewrites every relative import that points at them (and every import
 * inside them), across src, test, bench, scripts and console:
 *
 *   node --import tsx scripts/move-modules.ts old/path.ts=new/path.ts src/kernel=src/core/kernel …
 *
 * Paths are relative to the repository root. A folder move carries everything under it. Files are moved
 * with `git mv`, so history follows them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOTS = ['src', 'test', 'bench', 'scripts', 'console'];
const SPEC = /((?:from|import|mock|importActual)\s*\(?\s*['"])(\.\.?\/[^'"]+)(['"])/g;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.(m?[tj]sx?)$/.test(name)) out.push(path);
  }
  return out;
}

export function moveModules(root: string, moves: [string, string][]): void {
  const table = moves.map(([from, to]) => [resolve(root, from), resolve(root, to)] as const);
  const mapped = (path: string): string => {
    for (const [from, to] of table) {
      if (path === from) return to;
      if (path.startsWith(`${from}/`)) return to + path.slice(from.length);
    }
    return path;
  };
  const files = ROOTS.flatMap((r) => walk(resolve(root, r)));
  const rewritten = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const newFile = mapped(file);
    const next = text.replace(SPEC, (whole, head: string, spec: string, tail: string) => {
      const target = resolve(dirname(file), spec);
      const newTarget = mapped(target);
      if (newTarget === target && newFile === file) return whole;
      let rel = relative(dirname(newFile), newTarget);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `${head}${rel}${tail}`;
    });
    if (next !== text) rewritten.set(file, next);
  }
  for (const [from, to] of table) {
    mkdirSync(dirname(to), { recursive: true });
    execFileSync('git', ['mv', from, to], { cwd: root });
  }
  for (const [file, text] of rewritten) writeFileSync(mapped(file), text);
  console.log(`moved ${table.length} path(s), rewrote imports in ${rewritten.size} file(s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const moves = process.argv.slice(2).map((arg) => {
    const [from, to] = arg.split('=');
    if (from === undefined || to === undefined) throw new Error(`expected old=new, got ${arg}`);
    return [from, to] as [string, string];
  });
  moveModules(process.cwd(), moves);
}
