import { describe, expect, it } from 'vitest';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { parseSkillFile, renderSkillFile } from '../../src/plugins/skills/skill-file.ts';
import type { SkillRecord } from '../../src/plugins/skills/skill-repo.ts';
import { applySkills } from '../../src/plugins/skills/skill-resolution.ts';

const REFUNDS = `---
name: refunds
description: How we refund orders
tools:
  - lookup
  - note
knowledge: [handbook]
license: Apache-2.0
---

# Refunds

Look the order up first.
Never refund more than the order's total.
`;

function issuesOf(text: string): Array<{ path: string; message: string }> {
  try {
    parseSkillFile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentOsError);
    expect((error as AgentOsError).code).toBe('request.invalid');
    return (error as AgentOsError).details?.issues as Array<{ path: string; message: string }>;
  }
  throw new Error('expected the file to be refused');
}

describe('SKILL.md files', () => {
  it('reads the front matter and takes the body as the instructions', () => {
    expect(parseSkillFile(REFUNDS)).toEqual({
      name: 'refunds',
      description: 'How we refund orders',
      tools: ['lookup', 'note'],
      knowledge: ['handbook'],
      instructions: "# Refunds\n\nLook the order up first.\nNever refund more than the order's total.",
    });
  });

  it('writes a file that reads back to the same content, including awkward text', () => {
    const content = {
      name: 'quoting',
      description: 'Colons: "quotes", # hashes and\na second line',
      instructions: '---\nA body that starts with a dashes line\n\n  and indented text',
      tools: ['crm__search'],
      knowledge: [],
    };
    const text = renderSkillFile(content);
    expect(text.startsWith('---\nname: quoting\n')).toBe(true);
    expect(parseSkillFile(text)).toEqual(content);
  });

  it('reads the same fields from a JSON file', () => {
    const json = JSON.stringify({
      name: 'j',
      description: 'd',
      instructions: '  do it  ',
      tools: ['lookup'],
    });
    expect(parseSkillFile(json)).toEqual({
      name: 'j',
      description: 'd',
      instructions: 'do it',
      tools: ['lookup'],
      knowledge: [],
    });
  });

  it('names the field of every problem', () => {
    expect(issuesOf('# no front matter')).toEqual([
      expect.objectContaining({ path: 'front matter', message: expect.stringContaining('missing') }),
    ]);
    expect(
      issuesOf('---\nname: Bad Name\ndescription: ""\ntools: [ok, "no spaces"]\ncolour: red\n---\nbody'),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'name' }),
        expect.objectContaining({ path: 'description' }),
        expect.objectContaining({ path: 'tools.1' }),
        expect.objectContaining({ path: '', message: expect.stringContaining('colour') }),
      ]),
    );
    expect(issuesOf('---\nname: a\ndescription: b\ninstructions: c\n---\n')).toEqual([
      expect.objectContaining({ path: 'instructions', message: expect.stringContaining('body') }),
    ]);
    expect(issuesOf('---\nname: [unclosed\n---\n')).toEqual([
      expect.objectContaining({ path: 'front matter' }),
    ]);
    expect(issuesOf(`---\nname: a\ndescription: b\n---\n${'x'.repeat(100_001)}`)).toEqual([
      expect.objectContaining({ path: 'body' }),
    ]);
    expect(issuesOf('---\nname: a\ndescription: b\ntools: [x, x]\n---\n')).toEqual([
      expect.objectContaining({ path: 'tools', message: expect.stringContaining('twice') }),
    ]);
  });
});

describe('merging skills into an agent definition', () => {
  const skill = (
    name: string,
    instructions: string,
    tools: string[],
    knowledge: string[] = [],
  ): SkillRecord => ({
    id: `skl_${name}`,
    workspaceId: 'ws',
    spaceId: null,
    name,
    shared: false,
    version: 1,
    latestVersion: 1,
    description: name,
    instructions,
    tools,
    knowledge,
    createdBy: null,
    updatedBy: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    deletedAt: null,
  });

  it('appends instructions under a heading per skill and unites the tools', () => {
    const agent = agentDefinitionSchema.parse({
      name: 'clerk',
      description: 'c',
      model: 'scripted:test-model',
      instructions: 'You are a clerk.',
      tools: ['lookup'],
    });
    const merged = applySkills(agent, [
      skill('refunds', 'Refund carefully.', ['lookup', 'note'], ['handbook']),
      skill('empty', '', ['mail'], ['handbook', 'wiki']),
    ]);
    expect(merged.instructions).toBe('You are a clerk.\n\n## Skill: refunds\n\nRefund carefully.');
    expect(merged.tools).toEqual(['lookup', 'note', 'mail']);
    expect(merged.knowledge).toEqual(['handbook', 'wiki']);
    expect(applySkills(agent, [])).toBe(agent);
    expect(applySkills(agent, [skill('plain', 'x', [])]).knowledge).toBeUndefined();
  });
});
