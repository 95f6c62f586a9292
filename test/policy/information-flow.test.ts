import { describe, expect, it } from 'vitest';
import { readToolResult } from '../../src/core/kernel/journal-format.ts';
import { spotlight, toModelPrompt, UNTRUSTED_BEGIN } from '../../src/core/kernel/messages.ts';
import { contextLabels, isTainted, resultLabel } from '../../src/core/tools/information-flow.ts';
import { destinationsOutside } from '../../src/plugins/policy/argument-rules.ts';

const call = { id: 'c1', name: 'fetch', argumentsText: '{}' };
const trustedTools = new Map([['lookup', { trustedOutput: true }]]);
const toolFor = (name: string) => trustedTools.get(name) ?? (name === 'gone' ? undefined : {});

describe('information-flow labels', () => {
  it('labels user, system and trusted tool output trusted, other tool output untrusted, and taints what follows', () => {
    const messages = [
      { role: 'system' as const },
      { role: 'user' as const },
      { role: 'assistant' as const },
      { role: 'tool' as const, call: { name: 'lookup' }, result: { via: 'executed' as const } },
      { role: 'assistant' as const },
      { role: 'tool' as const, call: { name: 'fetch' }, result: { via: 'executed' as const } },
      { role: 'assistant' as const },
    ];
    expect(contextLabels(messages, toolFor)).toEqual([
      'trusted',
      'trusted',
      'trusted',
      'trusted',
      'trusted',
      'untrusted',
      'untrusted',
    ]);
    expect(isTainted(messages.slice(0, 5), toolFor)).toBe(false);
    expect(isTainted(messages, toolFor)).toBe(true);
  });

  it('reads labels of old journals (no label stored) by recomputing them from the tool definitions', () => {
    const old = readToolResult({ v: 1, output: { body: 'x' }, isError: false, via: 'executed' });
    expect(old.label).toBeUndefined();
    expect(resultLabel(old, toolFor('fetch'))).toBe('untrusted');
    expect(resultLabel(old, toolFor('lookup'))).toBe('trusted');
    expect(resultLabel(old, toolFor('gone'))).toBe('untrusted');
    expect(resultLabel({ via: 'rejected' }, undefined)).toBe('trusted');
    expect(resultLabel({ via: 'executed', label: 'trusted' }, {})).toBe('trusted');
  });

  it('spotlights untrusted output in the prompt and leaves trusted output alone', () => {
    const prompt = toModelPrompt([
      {
        role: 'tool',
        call,
        result: { v: 1, output: { a: 1 }, isError: false, via: 'executed', label: 'untrusted' },
      },
      {
        role: 'tool',
        call,
        result: { v: 1, output: { a: 2 }, isError: false, via: 'executed', label: 'trusted' },
      },
    ]);
    const parts = prompt[0]?.role === 'tool' ? prompt[0].content : [];
    expect(parts[0]).toMatchObject({ output: { type: 'text', value: spotlight({ a: 1 }) } });
    expect(JSON.stringify(parts[0])).toContain(UNTRUSTED_BEGIN);
    expect(parts[1]).toMatchObject({ output: { type: 'json', value: { a: 2 } } });
  });
});

describe('destination rules', () => {
  const allow = ['acme.com', 'api.partner.org'];
  it('finds recipients, hosts and URLs inside text outside the allowlist', () => {
    expect(destinationsOutside({ to: 'sara@acme.com', body: 'hi' }, allow)).toEqual([]);
    expect(destinationsOutside({ to: 'sara@mail.acme.com' }, allow)).toEqual([]);
    expect(destinationsOutside({ to: 'mark@evil.example' }, allow)).toEqual(['mark@evil.example']);
    expect(destinationsOutside({ body: '![x](https://evil.example/i.png?d=1)' }, allow)).toEqual([
      'evil.example',
    ]);
    expect(destinationsOutside({ url: 'https://api.partner.org/v1?q=1' }, allow)).toEqual([]);
    expect(destinationsOutside({ recipients: ['a@acme.com', 'b@partner.org'] }, allow)).toEqual([
      'b@partner.org',
    ]);
    expect(destinationsOutside({ to: 'anyone@anywhere.example' }, undefined)).toEqual([]);
  });
});
