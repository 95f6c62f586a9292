import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { jsonParam } from '../../src/core/store/sql-client.ts';
import {
  findUnstorableText,
  isStorableText,
  storableParams,
  toStorable,
  toStorableText,
} from '../../src/core/store/storable-text.ts';
import { assertRequestText } from '../../src/surfaces/openapi/text-hygiene.ts';

const NUL = '\u0000';
const HIGH = '\uD83D';
const LOW = '\uDE00';
const PAIR = `${HIGH}${LOW}`; // 😀

describe('storable text', () => {
  it('tells NULs and lone surrogates from well-formed text, paired surrogates included', () => {
    for (const good of ['', 'plain', `emoji ${PAIR}`, 'ünïcödé', 'back\\u0000slash text'])
      expect(isStorableText(good)).toBe(true);
    for (const bad of [`a${NUL}b`, `${HIGH}x`, `x${LOW}`, `${LOW}${HIGH}`, `${PAIR}${HIGH}`, HIGH, LOW])
      expect(isStorableText(bad)).toBe(false);
  });

  it('replaces each bad code unit with U+FFFD, keeping the length and every good character', () => {
    const dirty = `a${NUL}b${HIGH}c${PAIR}${LOW}${NUL}`;
    const clean = toStorableText(dirty);
    expect(clean).toBe(`a\uFFFDb\uFFFDc${PAIR}\uFFFD\uFFFD`);
    expect(clean.length).toBe(dirty.length);
    const plain = 'nothing to do';
    expect(toStorableText(plain)).toBe(plain);
  });

  it('finds the first bad string of a value, naming its path, and names a bad key by its path', () => {
    expect(findUnstorableText({ a: 'ok', list: ['x', { deep: `y${NUL}` }] }, 'body')).toBe(
      'body.list.1.deep',
    );
    expect(findUnstorableText({ [`k${HIGH}`]: 'fine' }, 'body')).toBe('body.k\uFFFD');
    expect(findUnstorableText(`x${LOW}`, 'body')).toBe('body');
    expect(findUnstorableText({ a: 1, b: [true, null, 'fine', PAIR] }, 'body')).toBeUndefined();
  });

  it('walks a very deeply nested value without overflowing the stack', () => {
    const depth = 200_000;
    const deep: unknown = JSON.parse(`${'['.repeat(depth)}"x${'\\u0000'}"${']'.repeat(depth)}`);
    const found = findUnstorableText(deep, 'body');
    expect(found?.startsWith('body.0.0.0')).toBe(true);
  });

  it('cleans a value deeply (keys too) and returns the very same value when it is clean', () => {
    const clean = { a: ['x', { b: 1 }], at: new Date(0) };
    expect(toStorable(clean)).toBe(clean);
    const bytes = new Uint8Array([0, 1]);
    const cleaned = toStorable({ [`k${NUL}`]: [`v${HIGH}`], at: new Date(0), bytes });
    expect(cleaned).toEqual({ 'k\uFFFD': ['v\uFFFD'], at: new Date(0), bytes });
    expect(cleaned.bytes).toBe(bytes);
  });

  it('serialises jsonb parameters without NUL or lone-surrogate escapes, leaving an escaped backslash alone', () => {
    expect(jsonParam({ text: `a${NUL}b`, [`k${LOW}`]: PAIR })).toBe(
      `{"text":"a\uFFFDb","k\uFFFD":"${PAIR}"}`,
    );
    expect(jsonParam({ text: 'literal \\u0000 and \\ud800' })).toBe(
      JSON.stringify({ text: 'literal \\u0000 and \\ud800' }),
    );
    expect(jsonParam(undefined)).toBe('null');
  });

  it('cleans text and text[] query parameters and leaves everything else as it is', () => {
    const when = new Date(0);
    const params = ['ok', 1, null, when, ['a', 'b'], [1, 2]] as const;
    expect(storableParams(params)).toBe(params);
    expect(storableParams([`x${NUL}`, 2, [`y${HIGH}`, 'z'], when])).toEqual([
      'x\uFFFD',
      2,
      ['y\uFFFD', 'z'],
      when,
    ]);
  });
});

describe('request text at the API edge', () => {
  it('refuses a NUL or lone surrogate with request.invalid_text, naming where it is', () => {
    expect(() => assertRequestText({ content: 'fine', tags: [PAIR] }, 'body')).not.toThrow();
    const refused = (value: unknown, where: string): AgentOsError => {
      try {
        assertRequestText(value, where);
      } catch (error) {
        if (error instanceof AgentOsError) return error;
      }
      throw new Error('expected a refusal');
    };
    const body = refused({ content: `a${NUL}b` }, 'body');
    expect(body.code).toBe('request.invalid_text');
    expect(body.message).toContain('body.content');
    expect(body.details).toEqual({ location: 'body.content' });
    expect(refused({ q: `a${HIGH}` }, 'query').details).toEqual({ location: 'query.q' });
    expect(refused({ id: `run_${NUL}x` }, 'path').details).toEqual({ location: 'path.id' });
  });
});
