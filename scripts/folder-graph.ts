/**
 * The folder import graph of `src/`: which feature folder imports which, how many cross-folder imports
 * there are, and the cycles (strongly connected components of more than one folder).
 *
 *   node --import tsx scripts/folder-graph.ts [--json]
 *
 * A feature folder is the first path segment under `src/`, or the second under a layer folder
 * (`src/core/kernel`, `src/plugins/memory`, …) once the layers exist.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const LAYERS = ['core', 'plugins', 'surfaces', 'runtime'] as const;
export type Layer = (typeof LAYERS)[number];

export interface FolderGraph {
  /** Folder → folders it imports, with the number of import statements. */
  edges: Map<string, Map<string, number>>;
  /** Every file and the folder-crossing imports in it: `from` file → imported file. */
  imports: { from: string; to: string }[];
  cycles: string[][];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** `core/kernel`, `plugins/memory`, `runtime`, or (before the layers) `kernel`. */
export function folderOf(srcRoot: string, file: string): string {
  const parts = relative(srcRoot, file).split('/');
  if ((LAYERS as readonly string[]).includes(parts[0]!) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : '(root)';
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

export function folderGraph(srcRoot: string): FolderGraph {
  const edges = new Map<string, Map<string, number>>();
  const imports: { from: string; to: string }[] = [];
  for (const file of sourceFiles(srcRoot)) {
    const from = folderOf(srcRoot, file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2]!;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(srcRoot)) continue;
      const to = folderOf(srcRoot, target);
      if (to === from) continue;
      imports.push({ from: relative(srcRoot, file), to: relative(srcRoot, target) });
      const row = edges.get(from) ?? new Map<string, number>();
      row.set(to, (row.get(to) ?? 0) + 1);
      edges.set(from, row);
    }
  }
  return { edges, imports, cycles: cyclesOf(edges) };
}

/** Tarjan's strongly connected components with more than one member. */
function cyclesOf(edges: Map<string, Map<string, number>>): string[][] {
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!indices.has(v)) visit(v);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(
    process.argv.includes('--src') ? process.argv[process.argv.indexOf('--src') + 1]! : 'src',
  );
  const graph = folderGraph(root);
  const folders = [...graph.edges.keys()].sort();
  const crossImports = graph.imports.length;
  const summary = {
    folders: new Set([...graph.edges.keys(), ...[...graph.edges.values()].flatMap((m) => [...m.keys()])])
      .size,
    folderEdges: [...graph.edges.values()].reduce((n, m) => n + m.size, 0),
    crossFolderImports: crossImports,
    cycles: graph.cycles.map((c) => c.length),
    largestCycle: Math.max(0, ...graph.cycles.map((c) => c.length)),
  };
  if (process.argv.includes('--json'))
    console.log(JSON.stringify({ ...summary, cycleMembers: graph.cycles }));
  else {
    for (const f of folders)
      console.log(
        `${f} → ${[...graph.edges.get(f)!.entries()]
          .sort()
          .map(([t, n]) => `${t}(${n})`)
          .join(' ')}`,
      );
    console.log(JSON.stringify(summary));
    for (const c of graph.cycles) console.log(`cycle: ${c.join(' ')}`);
  }
}
