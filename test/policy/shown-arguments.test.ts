import { describe, expect, it } from 'vitest';
import { shownArguments } from '../../src/plugins/policy/shown-arguments.ts';

describe('the arguments an approval shows', () => {
  it('shows every argument as the tool would get it', () => {
    expect(shownArguments({}, { to: 'ada', amount: 12.5, tags: ['rent'], memo: { line: 'x' } })).toEqual({
      to: 'ada',
      amount: 12.5,
      tags: ['rent'],
      memo: { line: 'x' },
    });
  });

  it('masks the arguments the tool marks secret', () => {
    expect(shownArguments({ secretArguments: ['password'] }, { user: 'ada', password: 'hunter2' })).toEqual({
      user: 'ada',
      password: '[secret]',
    });
  });

  it('cuts a very long string and says how much is left out, at any depth', () => {
    const shown = shownArguments(
      {},
      { body: 'a'.repeat(16_010), nested: [{ text: 'b'.repeat(16_001) }] },
    ) as {
      body: string;
      nested: Array<{ text: string }>;
    };
    expect(shown.body).toBe(`${'a'.repeat(16_000)}… (10 more characters)`);
    expect(shown.nested[0]?.text.endsWith('… (1 more characters)')).toBe(true);
  });

  it('shows arguments that are not an object as they are', () => {
    expect(shownArguments({}, undefined)).toBeNull();
    expect(shownArguments({}, 'text')).toBe('text');
  });
});
