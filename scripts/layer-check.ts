/**
 * The layer check run by CI: imports point one way through the layers of `src/`.
 *
 *   node --import tsx scripts/layer-check.ts [--src src]
 *
 * - `core/*` imports only `core/*`;
 * - `plugins/X` imports `core/*` and the plugins it declares in {@link PLUGIN_DEPENDENCIES};
 * - `surfaces/*` imports `core/*`, `plugins/*` and other surfaces, never the composition root (the CLI
 *   alone may, because `agentos serve` and `agentos worker` start it);
 * - `runtime` (the composition root) may import anything;
 * - no file lives outside a layer, every plugin is declared, and the folder graph has no cycle.
 *
 * Exits 1 and prints each offending import when a rule is broken.
 */
import { readdirSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { folderGraph, folderOf, LAYERS } from './folder-graph.ts';

/** Each plugin and the other plugins it may import. Adding an edge here is a design decision. */
export const PLUGIN_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  audit: [],
  compute: [],
  conversations: ['knowledge', 'policy', 'skills'],
  databases: ['conversations', 'knowledge', 'skills'],
  evals: [],
  knowledge: ['mcp', 'policy', 'skills'],
  mcp: ['policy'],
  memory: [],
  orchestration: ['memory'],
  policy: [],
  scheduler: [],
  skills: ['policy'],
  telemetry: [],
  usage: [],
};

/** Surfaces that may import the composition root. */
const SURFACES_USING_RUNTIME = new Set(['surfaces/cli']);

export interface LayerViolation {
  from: string;
  to: string;
  rule: string;
}

/** Why `from` may not import `to` (both folders as {@link folderOf} names them), or undefined. */
export function ruleBroken(from: string, to: string): string | undefined {
  const [fromLayer, fromName] = from.split('/');
  const [toLayer, toName] = to.split('/');
  if (!(LAYERS as readonly string[]).includes(fromLayer!)) return `${from} is outside the layers`;
  if (!(LAYERS as readonly string[]).includes(toLayer!)) return `${to} is outside the layers`;
  switch (fromLayer) {
    case 'core':
      return toLayer === 'core' ? undefined : 'core imports only core';
    case 'plugins': {
      if (toLayer === 'core') return undefined;
      const declared = PLUGIN_DEPENDENCIES[fromName!];
      if (declared === undefined) return `plugin ${fromName} is not declared in PLUGIN_DEPENDENCIES`;
      if (toLayer === 'plugins' && declared.includes(toName!)) return undefined;
      return `plugins import core and their declared plugins (${fromName}: ${declared.join(', ') || 'none'})`;
    }
    case 'surfaces':
      if (toLayer !== 'runtime' || SURFACES_USING_RUNTIME.has(from)) return undefined;
      return 'surfaces do not import the composition root';
    default:
      return undefined;
  }
}

/** Every import that breaks a layer rule, every undeclared plugin folder, and every folder cycle. */
export function layerViolations(srcRoot: string): LayerViolation[] {
  const graph = folderGraph(srcRoot);
  const out: LayerViolation[] = [];
  for (const { from, to } of graph.imports) {
    const rule = ruleBroken(
      folderOf(srcRoot, resolve(srcRoot, from)),
      folderOf(srcRoot, resolve(srcRoot, to)),
    );
    if (rule !== undefined) out.push({ from, to, rule });
  }
  for (const name of readdirSync(srcRoot)) {
    if (!(LAYERS as readonly string[]).includes(name))
      out.push({
        from: name,
        to: '',
        rule: 'everything in src/ lives in core, plugins, surfaces or runtime',
      });
  }
  const plugins = resolve(srcRoot, 'plugins');
  for (const name of readdirSync(plugins)) {
    if (statSync(resolve(plugins, name)).isDirectory() && PLUGIN_DEPENDENCIES[name] === undefined)
      out.push({ from: `plugins/${name}`, to: '', rule: 'every plugin is declared in PLUGIN_DEPENDENCIES' });
  }
  for (const cycle of graph.cycles) out.push({ from: cycle.join(' → '), to: '', rule: 'folder cycle' });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(
    process.argv.includes('--src') ? process.argv[process.argv.indexOf('--src') + 1]! : 'src',
  );
  const violations = layerViolations(root);
  const graph = folderGraph(root);
  const folders = new Set([
    ...graph.edges.keys(),
    ...[...graph.edges.values()].flatMap((m) => [...m.keys()]),
  ]);
  for (const v of violations) console.log(`✗ ${v.from}${v.to === '' ? '' : ` → ${v.to}`}: ${v.rule}`);
  console.log(
    `layers: ${folders.size} folders, ${graph.imports.length} cross-folder imports, ${graph.cycles.length} cycles, ` +
      `${violations.length} violation(s) in ${relative(process.cwd(), root) || '.'}`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}
