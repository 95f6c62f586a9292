import { describe, expect, it } from 'vitest';
import { costUsd, DEFAULT_MODEL_LIMITS, MODEL_CATALOGUE, modelInfo } from './model-catalogue.ts';

describe('modelInfo', () => {
  it('returns catalogue entries for known models', () => {
    const info = modelInfo('openai', 'gpt-4o-mini');
    expect(info).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      inputUsdPerMillion: 0.15,
      outputUsdPerMillion: 0.6,
      known: true,
    });
    expect(modelInfo('anthropic', 'claude-sonnet-4-5').inputUsdPerMillion).toBe(3);
    expect(modelInfo('anthropic', 'claude-sonnet-4-5').outputUsdPerMillion).toBe(15);
  });

  it('resolves dated snapshots, -latest and aliases to their family', () => {
    expect(modelInfo('openai', 'gpt-4o-2024-08-06').inputUsdPerMillion).toBe(2.5);
    expect(modelInfo('anthropic', 'claude-sonnet-4-5-20250929').known).toBe(true);
    expect(modelInfo('anthropic', 'claude-sonnet-4-20250514').contextWindow).toBe(200_000);
    expect(modelInfo('anthropic', 'claude-opus-4-0').outputUsdPerMillion).toBe(75);
    expect(modelInfo('anthropic', 'claude-3-5-haiku-latest').maxOutputTokens).toBe(8192);
    // The reported model id stays what was asked for.
    expect(modelInfo('openai', 'gpt-4o-2024-08-06').model).toBe('gpt-4o-2024-08-06');
  });

  it('falls back to conservative defaults for unknown and self-hosted models', () => {
    for (const [provider, model] of [
      ['local', 'llama3.1:8b'],
      ['openai', 'gpt-unknown'],
      ['anthropic', 'claude-imaginary'],
    ] as const) {
      const info = modelInfo(provider, model);
      expect(info.known).toBe(false);
      expect(info.contextWindow).toBe(8192);
      expect(info.inputUsdPerMillion).toBe(0);
      expect(info.outputUsdPerMillion).toBe(0);
      expect(info.maxOutputTokens).toBe(DEFAULT_MODEL_LIMITS.maxOutputTokens);
    }
  });

  it('applies overrides on top of an entry or the defaults, ignoring undefined fields', () => {
    const local = modelInfo('local', 'llama3.1:8b', {
      contextWindow: 131_072,
      inputUsdPerMillion: undefined,
    });
    expect(local.contextWindow).toBe(131_072);
    expect(local.inputUsdPerMillion).toBe(0);
    const discounted = modelInfo('openai', 'gpt-4o', { inputUsdPerMillion: 1.25 });
    expect(discounted.inputUsdPerMillion).toBe(1.25);
    expect(discounted.outputUsdPerMillion).toBe(10);
    expect(discounted.known).toBe(true);
  });

  it('has sane entries', () => {
    for (const models of Object.values(MODEL_CATALOGUE)) {
      for (const entry of Object.values(models)) {
        expect(entry.maxOutputTokens).toBeLessThanOrEqual(entry.contextWindow);
        expect(entry.inputUsdPerMillion).toBeGreaterThan(0);
        expect(entry.outputUsdPerMillion).toBeGreaterThanOrEqual(entry.inputUsdPerMillion);
      }
    }
  });
});

describe('costUsd', () => {
  it('prices input and output tokens per million', () => {
    const info = modelInfo('openai', 'gpt-4o'); // $2.50 in, $10 out
    expect(costUsd(info, { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2.5, 10);
    expect(costUsd(info, { inputTokens: 0, outputTokens: 1_000_000 })).toBeCloseTo(10, 10);
    expect(costUsd(info, { inputTokens: 12_000, outputTokens: 800 })).toBeCloseTo(0.03 + 0.008, 10);
  });

  it('uses the Anthropic list prices', () => {
    const info = modelInfo('anthropic', 'claude-haiku-4-5'); // $1 in, $5 out
    expect(costUsd(info, { inputTokens: 2_000, outputTokens: 1_000 })).toBeCloseTo(0.002 + 0.005, 10);
  });

  it('treats missing counts as zero and unknown models as free', () => {
    expect(
      costUsd(modelInfo('openai', 'gpt-4o-mini'), { inputTokens: undefined, outputTokens: 1_000_000 }),
    ).toBeCloseTo(0.6, 10);
    expect(costUsd(modelInfo('openai', 'gpt-4o-mini'), {})).toBe(0);
    expect(costUsd(modelInfo('local', 'llama3.1:8b'), { inputTokens: 5e6, outputTokens: 5e6 })).toBe(0);
  });
});
