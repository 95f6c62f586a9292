import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../src/plugins/scheduler/rate-window.ts';

describe('the sliding rate window', () => {
  it('admits up to rpm requests per 60 s, and the next one just after the provider forgets the oldest', () => {
    const window = new RateWindow();
    expect(window.admissibleAt(0, 10, { rpm: 2 })).toBe(0);
    window.add(0, 10);
    window.add(1_000, 10);
    const next = window.admissibleAt(2_000, 10, { rpm: 2 });
    // 60 s after the oldest, plus a margin for the provider stamping it a little later than we did.
    expect(next).toBeGreaterThan(60_000);
    expect(next).toBeLessThanOrEqual(61_000);
    expect(window.admissibleAt(next, 10, { rpm: 2 })).toBe(next);
  });

  it('waits for enough tokens to leave the window under a TPM budget, with estimates corrected by usage', () => {
    const window = new RateWindow();
    const first = window.add(0, 600);
    window.add(10_000, 300);
    expect(window.admissibleAt(20_000, 200, { tpm: 1_000 })).toBeGreaterThan(60_000);
    window.correct(first, 100);
    expect(window.tokens).toBe(400);
    expect(window.admissibleAt(20_000, 200, { tpm: 1_000 })).toBe(20_000);
  });
});
