import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSkillFile } from '../../src/plugins/skills/skill-file.ts';
import { cliAgainst, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { contentOf } from './skills-support.ts';

const TRIAGE = `---
name: triage
description: Sort incoming questions before answering
tools: [recall]
---

Recall what you know about the customer first.
`;

/** Each CLI call is a fresh Node process: seconds apiece on a loaded machine. */
const CLI_TIMEOUT_MS = 300_000;

interface SkillView {
  name: string;
  version: number;
  latestVersion: number;
  instructions: string;
  tools: string[];
}

describe('agentos skills through a running server', () => {
  let cwd: string;
  let server: ServedForTest;
  const { agentos, json } = cliAgainst(
    () => server,
    () => cwd,
  );

  beforeAll(async () => {
    cwd = tempHome();
    server = await startServeForTest(cwd);
    writeFileSync(join(cwd, 'SKILL.md'), TRIAGE);
  }, 120_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it(
    'creates from a SKILL.md, versions, shows, exports, imports under a new name and removes',
    async () => {
      const created = await json<{ skill: SkillView }>(['skills', 'create', '--file', 'SKILL.md']);
      expect(created.skill).toMatchObject({ name: 'triage', version: 1, tools: ['recall'] });

      const updated = await json<{ skill: SkillView }>([
        'skills',
        'update',
        'triage',
        '--instructions',
        'Recall first, then answer briefly.',
        '--tool',
        'recall',
        '--tool',
        'remember',
      ]);
      expect(updated.skill).toMatchObject({ version: 2, tools: ['recall', 'remember'] });
      const first = await json<{ skill: SkillView }>(['skills', 'show', 'triage', '--skill-version', '1']);
      expect(first.skill).toMatchObject({ version: 1, latestVersion: 2 });
      expect(first.skill.instructions).toBe('Recall what you know about the customer first.');
      const versions = await json<{ versions: SkillView[] }>(['skills', 'versions', 'triage']);
      expect(versions.versions.map((v) => v.version)).toEqual([1, 2]);
      const human = await agentos(['skills', 'list']);
      expect(human.stdout).toMatch(/triage\s+2\s+\(workspace\)/);

      const exported = await json<{ fileName: string; path: string }>([
        'skills',
        'export',
        'triage',
        '--out',
        'triage.SKILL.md',
      ]);
      expect(exported).toMatchObject({ fileName: 'triage.SKILL.md', path: 'triage.SKILL.md' });
      const file = readFileSync(join(cwd, 'triage.SKILL.md'), 'utf8');
      expect(parseSkillFile(file)).toEqual(contentOf(updated.skill as unknown as Record<string, unknown>));
      const toStdout = await agentos(['skills', 'export', 'triage']);
      expect(toStdout.stdout).toBe(file);

      const imported = await json<{ skill: SkillView }>([
        'skills',
        'import',
        'triage.SKILL.md',
        '--name',
        'triage-copy',
      ]);
      expect(imported.skill).toMatchObject({ name: 'triage-copy', version: 1 });
      expect(contentOf(imported.skill as unknown as Record<string, unknown>)).toEqual({
        ...contentOf(updated.skill as unknown as Record<string, unknown>),
        name: 'triage-copy',
      });
      await json(['skills', 'rm', 'triage-copy']);
      const list = await json<{ skills: SkillView[] }>(['skills', 'list']);
      expect(list.skills.map((s) => s.name)).toEqual(['triage']);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'names the field of a bad file, and exits 1 for a missing skill and 2 for usage mistakes',
    async () => {
      writeFileSync(join(cwd, 'bad.md'), '---\nname: bad\ndescription: d\ntools: ["not a tool"]\n---\n');
      const bad = await agentos(['skills', 'create', '--file', 'bad.md', '--json']);
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stderr)).toMatchObject({
        error: { code: 'request.invalid', details: { issues: [{ path: 'tools.0' }] } },
      });
      const unknownTool = await agentos([
        'skills',
        'create',
        '--name',
        'x',
        '--description',
        'd',
        '--tool',
        'nope',
      ]);
      expect(unknownTool.code).toBe(2);
      expect(unknownTool.stderr).toContain('tools.0: no tool "nope"');
      const missing = await agentos(['skills', 'show', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('skill.not_found');
      const nothing = await agentos(['skills', 'update', 'triage']);
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toContain('nothing to update');
      const otherName = await agentos(['skills', 'update', 'other', '--file', 'SKILL.md']);
      expect(otherName.code).toBe(2);
      expect(otherName.stderr).toContain('is skill "triage", not "other"');
    },
    CLI_TIMEOUT_MS,
  );
});
