import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineMismatches, NODE_LINES, rangeWithinLine } from '../../scripts/check-engines.ts';

const root = join(import.meta.dirname, '..', '..');

/** A throwaway project: its engines and installed packages (name → engines.node). */
function project(engines: string, packages: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'engines-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', engines: { node: engines } }));
  for (const [name, node] of Object.entries(packages)) {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    const manifest = { name: name.split('/node_modules/').at(-1), version: '1.0.0', engines: { node } };
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify(manifest));
  }
  return dir;
}

describe('the installed packages and the Node lines the project claims', () => {
  it('every installed package admits every Node version the project admits on lines 20, 22 and 24', () => {
    expect(NODE_LINES).toEqual([20, 22, 24]);
    expect(engineMismatches(root)).toEqual([]);
  });

  it('finds a package whose engines exclude a claimed line, nested and scoped ones too', () => {
    const dir = project('>=20', {
      '@opentelemetry/core': '>=22.15.0',
      'ok/node_modules/old': '^18.19.0 || >=20.6.0',
      ok: '>=18',
    });
    expect(engineMismatches(dir, [20, 24])).toEqual([
      { package: '@opentelemetry/core@1.0.0', engines: '>=22.15.0', line: 20 },
      { package: 'old@1.0.0', engines: '^18.19.0 || >=20.6.0', line: 20 },
    ]);
    expect(engineMismatches(dir, [24])).toEqual([]);
  });

  it('compares only the versions of each line the project admits', () => {
    expect(rangeWithinLine('^20.19.0 || >=22.12.0', 20)).toBe('>=20.19.0 <21.0.0-0 >=20.0.0 <21.0.0-0');
    expect(rangeWithinLine('^20.19.0 || >=22.12.0', 21)).toBeNull();
    const dir = project('^20.19.0 || >=22.12.0', { vite: '^20.19.0 || >=22.12.0', dom: '>=20.19.0' });
    expect(engineMismatches(dir)).toEqual([]);
  });

  it('refuses a project range that admits no version of a claimed line', () => {
    expect(() => engineMismatches(project('>=22', {}), [20])).toThrow(/admits no Node 20/);
  });
});
