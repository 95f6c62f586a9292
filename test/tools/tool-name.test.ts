import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { skillContentSchema } from '../../src/core/agents/skill-definition.ts';
import {
  canonicalToolName,
  canonicalToolNamesInCedar,
  canonicalToolPattern,
  isValidToolName,
  legacyToolName,
  mcpServerNameProblem,
  mcpServerOfToolName,
  mcpToolName,
} from '../../src/core/tools/tool-name.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { mcpServerNameSchema } from '../../src/plugins/mcp/mcp-server-repo.ts';
import { planDefinitionSchema } from '../../src/plugins/orchestration/plan-definition.ts';
import { validateCedarPolicies } from '../../src/plugins/policy/cedar/workspace-cedar-policies.ts';
import { orgBoundarySchema } from '../../src/plugins/policy/org-boundary.ts';
import { runIntentSchema } from '../../src/plugins/policy/run-intent.ts';

describe('tool names', () => {
  it('accepts exactly what providers accept as a function name', () => {
    for (const name of ['http_fetch', 'bank__send_money', 'getBalance', 'a-b', 'x'.repeat(64)])
      expect(isValidToolName(name), name).toBe(true);
    for (const name of ['bank.send_money', '', 'x'.repeat(65), 'a b', 'a/b', 'é'])
      expect(isValidToolName(name), name).toBe(false);
  });

  it("names an MCP server's tool <server>__<tool> and finds the server again", () => {
    expect(mcpToolName('bank', 'send_money')).toBe('bank__send_money');
    expect(mcpServerOfToolName('bank__send_money')).toBe('bank');
    // The first separator splits: a tool's own "__" stays in the tool's part.
    expect(mcpServerOfToolName(mcpToolName('my-bank', 'pay__now'))).toBe('my-bank');
    expect(mcpServerOfToolName('http_fetch')).toBeUndefined();
    expect(mcpServerOfToolName('__x')).toBeUndefined();
  });

  it('refuses server names that would make the split ambiguous', () => {
    expect(mcpServerNameProblem('bank')).toBeUndefined();
    expect(mcpServerNameProblem('my_bank')).toBeUndefined();
    expect(mcpServerNameProblem('my__bank')).toContain('"__"');
    expect(mcpServerNameProblem('bank_')).toContain('end with "_"');
    expect(mcpServerNameSchema.safeParse('bank_').success).toBe(false);
    expect(mcpServerNameSchema.safeParse('a__b').success).toBe(false);
    expect(mcpServerNameSchema.safeParse('a_b-c').success).toBe(true);
  });

  it('reads names stored before the rule in the current spelling, and leaves the rest alone', () => {
    expect(canonicalToolName('bank.send_money')).toBe('bank__send_money');
    expect(canonicalToolName('bank__send_money')).toBe('bank__send_money');
    expect(canonicalToolName('http_fetch')).toBe('http_fetch');
    // Not a legacy MCP name: the prefix could not have been a server.
    expect(canonicalToolName('Bank.send')).toBe('Bank.send');
    expect(canonicalToolName('bank_.send')).toBe('bank_.send');
    expect(legacyToolName('bank__send_money')).toBe('bank.send_money');
    expect(legacyToolName('http_fetch')).toBeUndefined();
    expect(legacyToolName('Bank__x')).toBeUndefined();
    expect(canonicalToolPattern('github.*')).toBe('github__*');
    expect(canonicalToolPattern('bank.send_*')).toBe('bank__send_*');
    expect(canonicalToolPattern('search_*')).toBe('search_*');
    expect(canonicalToolPattern('bank.get_balance')).toBe('bank__get_balance');
  });

  it('rewrites tool names in Cedar text, entity references and context comparisons', () => {
    const text =
      'forbid (principal, action == Action::"callTool", resource == Tool::"bank.send_money");\n' +
      'forbid (principal, action == Action::"callTool", resource) when { context.tool like "web.*" };\n' +
      'forbid (principal, action == Action::"callTool", resource == Tool::"pay");';
    expect(canonicalToolNamesInCedar(text)).toBe(
      'forbid (principal, action == Action::"callTool", resource == Tool::"bank__send_money");\n' +
        'forbid (principal, action == Action::"callTool", resource) when { context.tool like "web__*" };\n' +
        'forbid (principal, action == Action::"callTool", resource == Tool::"pay");',
    );
    const checked = validateCedarPolicies(
      '@id("no_send") forbid (principal, action == Action::"callTool", resource == Tool::"bank.send_money");',
    );
    expect(checked).toMatchObject({ ok: true });
    if (checked.ok) expect(checked.policies['workspace.no_send']).toContain('Tool::"bank__send_money"');
  });

  it('refuses to register a tool whose name has a dot', () => {
    const tool = {
      name: 'bank.send_money',
      description: 'd',
      inputSchema: z.object({}),
      idempotent: true,
      execute: async () => 'ok',
    };
    expect(() => new ToolRegistry([tool])).toThrow(/bank\.send_money/);
    expect(new ToolRegistry([{ ...tool, name: 'bank__send_money' }]).has('bank__send_money')).toBe(true);
  });

  it('canonicalises legacy names where agents, skills, plans, boundaries and intents accept them', () => {
    const agent = agentDefinitionSchema.parse({
      name: 'payer',
      description: 'Pays',
      model: 'scripted:m',
      tools: ['bank.send_money', 'http_fetch'],
    });
    expect(agent.tools).toEqual(['bank__send_money', 'http_fetch']);
    const skill = skillContentSchema.parse({ name: 's', description: 'd', tools: ['bank.get_balance'] });
    expect(skill.tools).toEqual(['bank__get_balance']);
    expect(skillContentSchema.safeParse({ name: 's', description: 'd', tools: ['a.b.c'] }).success).toBe(
      false,
    );
    const plan = planDefinitionSchema.parse({
      nodes: [{ id: 'pay', kind: 'tool', tool: 'bank.send_money', arguments: {} }],
    });
    expect(plan.nodes[0]?.tool).toBe('bank__send_money');
    expect(orgBoundarySchema.parse({ tools: ['github.*', 'bank.get_balance'] }).tools).toEqual([
      'github__*',
      'bank__get_balance',
    ]);
    const intent = runIntentSchema.parse({
      v: 1,
      actions: [{ tool: 'bank.send_money', arguments: { recipient: 'x' } }],
      dropped: [],
    });
    expect(intent.actions[0]?.tool).toBe('bank__send_money');
  });
});
