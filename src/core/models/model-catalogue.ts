// Known models: context window, output limit and list prices (USD per million tokens).
// Prices are the providers' public list prices at the time of writing (PRICES_AS_OF); they change,
// so deployments can override any field per model. Unknown and self-hosted models get a
// conservative default (small context window, zero price).

export const PRICES_AS_OF = '2025-10';

export interface ModelInfo {
  provider: string;
  model: string;
  /** Total tokens the model accepts (prompt + output). */
  contextWindow: number;
  maxOutputTokens: number;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  /** False when the model is not in the catalogue and the defaults were used. */
  known: boolean;
}

export interface ModelInfoOverrides {
  contextWindow?: number | undefined;
  maxOutputTokens?: number | undefined;
  inputUsdPerMillion?: number | undefined;
  outputUsdPerMillion?: number | undefined;
}

export interface TokenUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

interface CatalogueEntry {
  contextWindow: number;
  maxOutputTokens: number;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  aliases?: readonly string[];
}

export const DEFAULT_MODEL_LIMITS = {
  contextWindow: 8192,
  maxOutputTokens: 4096,
  inputUsdPerMillion: 0,
  outputUsdPerMillion: 0,
} as const;

const entry = (
  contextWindow: number,
  maxOutputTokens: number,
  inputUsdPerMillion: number,
  outputUsdPerMillion: number,
  aliases: readonly string[] = [],
): CatalogueEntry => ({ contextWindow, maxOutputTokens, inputUsdPerMillion, outputUsdPerMillion, aliases });

/** provider → model id → entry. List prices, USD per million tokens, as of PRICES_AS_OF. */
export const MODEL_CATALOGUE: Readonly<Record<string, Readonly<Record<string, CatalogueEntry>>>> = {
  openai: {
    'gpt-4o': entry(128_000, 16_384, 2.5, 10),
    'gpt-4o-mini': entry(128_000, 16_384, 0.15, 0.6),
    'gpt-4.1': entry(1_047_576, 32_768, 2, 8),
    'gpt-4.1-mini': entry(1_047_576, 32_768, 0.4, 1.6),
    'gpt-4.1-nano': entry(1_047_576, 32_768, 0.1, 0.4),
    'o4-mini': entry(200_000, 100_000, 1.1, 4.4),
    o3: entry(200_000, 100_000, 2, 8),
    'gpt-5': entry(400_000, 128_000, 1.25, 10),
    'gpt-5-mini': entry(400_000, 128_000, 0.25, 2),
    'gpt-5-nano': entry(400_000, 128_000, 0.05, 0.4),
  },
  anthropic: {
    'claude-sonnet-4-5': entry(200_000, 64_000, 3, 15),
    'claude-haiku-4-5': entry(200_000, 64_000, 1, 5),
    'claude-opus-4-1': entry(200_000, 32_000, 15, 75),
    'claude-sonnet-4': entry(200_000, 64_000, 3, 15, ['claude-sonnet-4-0']),
    'claude-opus-4': entry(200_000, 32_000, 15, 75, ['claude-opus-4-0']),
    'claude-3-5-haiku': entry(200_000, 8192, 0.8, 4),
  },
};

/** Strips dated snapshot and `-latest` suffixes: `gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`. */
function baseModelId(model: string): string {
  return model
    .replace(/-latest$/, '')
    .replace(/-\d{4}-\d{2}-\d{2}$/, '')
    .replace(/-\d{8}$/, '');
}

function lookup(provider: string, model: string): CatalogueEntry | undefined {
  const models = MODEL_CATALOGUE[provider];
  if (models === undefined) return undefined;
  for (const candidate of [model, baseModelId(model)]) {
    const direct = models[candidate];
    if (direct !== undefined) return direct;
    const aliased = Object.values(models).find((e) => e.aliases?.includes(candidate) === true);
    if (aliased !== undefined) return aliased;
  }
  return undefined;
}

/** Catalogue entry for `provider:model` (dated snapshots resolve to their family), else conservative defaults. */
export function modelInfo(provider: string, model: string, overrides: ModelInfoOverrides = {}): ModelInfo {
  const found = lookup(provider, model);
  const base = found ?? DEFAULT_MODEL_LIMITS;
  return {
    provider,
    model,
    contextWindow: overrides.contextWindow ?? base.contextWindow,
    maxOutputTokens: overrides.maxOutputTokens ?? base.maxOutputTokens,
    inputUsdPerMillion: overrides.inputUsdPerMillion ?? base.inputUsdPerMillion,
    outputUsdPerMillion: overrides.outputUsdPerMillion ?? base.outputUsdPerMillion,
    known: found !== undefined,
  };
}

/** Cost in USD of one call's usage. Missing token counts count as zero. */
export function costUsd(
  info: Pick<ModelInfo, 'inputUsdPerMillion' | 'outputUsdPerMillion'>,
  usage: TokenUsage,
): number {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return (input * info.inputUsdPerMillion + output * info.outputUsdPerMillion) / 1_000_000;
}
