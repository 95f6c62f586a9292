import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/load-config.ts';
import { tempHome } from '../support/test-config.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The text of one `## ` section of the README, up to the next one. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every `env.NAME` read in the TypeScript files under `dir` (tests excluded). */
function envNamesRead(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(match[1] as string);
  }
  return names;
}

describe('the README', () => {
  it('keeps the quickstart to two commands', () => {
    expect(section('Quickstart')).toContain('```sh\nnpm install && npm start\nnpm test\n```');
  });

  it('documents every variable the config loader reads and every AGENTOS_* variable', () => {
    const configuration = section('Configuration');
    const fromConfig = envNamesRead(join(root, 'src', 'core', 'config'));
    const agentOs = [...envNamesRead(join(root, 'src'))].filter((name) => name.startsWith('AGENTOS_'));
    expect(fromConfig).toContain('PORT');
    expect(fromConfig).toContain('AGENTOS_HOME');
    const missing = [...new Set([...fromConfig, ...agentOs])].filter(
      (name) => !configuration.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });

  it('states the defaults loadConfig really applies for PORT, HOST and AGENTOS_HOME', () => {
    const config = loadConfig({ env: {}, cwd: tempHome() });
    const configuration = section('Configuration');
    expect(configuration).toContain(`| \`PORT\` | \`port\` | \`${config.port}\` |`);
    expect(configuration).toContain(`| \`HOST\` | \`host\` | \`${config.host}\` |`);
    expect(configuration).toMatch(/\| `AGENTOS_HOME` \| `home`[^|]*\| `\.\/\.agentos` \|/);
    expect(config.home.endsWith('/.agentos')).toBe(true);
  });
});
