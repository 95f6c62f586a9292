import { describe, expect, it } from 'vitest';
import { outputLabel } from '../../src/core/tools/information-flow.ts';

describe('outputLabel', () => {
  const labelOutput = (output: unknown) =>
    (output as { trusted?: boolean }).trusted === true ? ('trusted' as const) : undefined;

  it("takes the tool's word on one call's output, else its declaration", () => {
    expect(outputLabel({ labelOutput }, { output: { trusted: true }, isError: false })).toBe('trusted');
    expect(outputLabel({ labelOutput }, { output: { trusted: false }, isError: false })).toBe('untrusted');
    expect(outputLabel({ labelOutput, trustedOutput: true }, { output: {}, isError: false })).toBe('trusted');
    expect(outputLabel({}, { output: { trusted: true }, isError: false })).toBe('untrusted');
  });

  it('never lets an error vouch for itself', () => {
    expect(outputLabel({ labelOutput }, { output: { trusted: true }, isError: true })).toBe('untrusted');
  });
});
