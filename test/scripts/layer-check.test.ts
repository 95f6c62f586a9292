import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations } from '../../scripts/layer-check.ts';

/** A throwaway `src/` tree: path → source text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const base = {
  'core/kernel/kernel.ts': "import { x } from '../store/store.ts';\n",
  'core/store/store.ts': 'export const x = 1;\n',
  'plugins/memory/memory.ts': "import { x } from '../../core/store/store.ts';\n",
  'plugins/orchestration/plan.ts': "import { x } from '../memory/memory.ts';\n",
  'surfaces/http/app.ts': "import { x } from '../../plugins/memory/memory.ts';\n",
  'runtime/start.ts': "import { x } from '../surfaces/http/app.ts';\n",
};

describe('the layer check', () => {
  it('passes a tree whose imports point down the layers and along declared plugin edges', () => {
    expect(layerViolations(tree(base))).toEqual([]);
  });

  it('refuses core importing a plugin, an undeclared plugin edge and a surface importing the runtime', () => {
    const root = tree({
      ...base,
      'core/kernel/hook.ts': "import { x } from '../../plugins/memory/memory.ts';\n",
      'plugins/memory/back.ts': "import { x } from '../orchestration/plan.ts';\n",
      'surfaces/http/boot.ts': "import { x } from '../../runtime/start.ts';\n",
    });
    const rules = layerViolations(root).map((v) => `${v.from} ${v.rule}`);
    expect(rules).toContain('core/kernel/hook.ts core imports only core');
    expect(
      rules.some((r) => r.startsWith('plugins/memory/back.ts plugins import core and their declared')),
    ).toBe(true);
    expect(rules).toContain('surfaces/http/boot.ts surfaces do not import the composition root');
    expect(rules.some((r) => r.endsWith('folder cycle'))).toBe(true);
  });

  it('refuses files outside the layers and plugins nobody declared', () => {
    const rules = layerViolations(
      tree({ ...base, 'loose/thing.ts': 'export {};\n', 'plugins/newcomer/a.ts': 'export {};\n' }),
    ).map((v) => `${v.from} ${v.rule}`);
    expect(rules).toContain('loose everything in src/ lives in core, plugins, surfaces or runtime');
    expect(rules).toContain('plugins/newcomer every plugin is declared in PLUGIN_DEPENDENCIES');
  });
});
