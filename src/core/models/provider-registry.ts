// Turns the `providers` section of the config into AI SDK language models, by `<provider>:<model>` name.
// openai speaks Chat Completions (`.chat`), which is also what OpenAI-compatible servers implement.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { AgentOsConfig } from '../config/config-schema.ts';
import { parseModelName } from '../config/model-name.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';

/** An AI SDK model object (never a gateway id string). */
export type ResolvedLanguageModel = Exclude<LanguageModel, string>;
export type ResolvedEmbeddingModel = Exclude<EmbeddingModel, string>;

export type ProviderKind = 'openai' | 'anthropic' | 'openai-compatible';

export interface ConfiguredProvider {
  name: string;
  kind: ProviderKind;
  /** Only when configured; the provider's default endpoint otherwise. Never carries credentials. */
  baseURL?: string;
}

export interface ModelRegistry {
  /** The model for `<provider>:<model>`; the same instance for the same name. Throws AgentOsError. */
  languageModel(name: string): ResolvedLanguageModel;
  /** The text-embedding model for `<provider>:<model>`. Throws AgentOsError when the provider has none. */
  embeddingModel(name: string): ResolvedEmbeddingModel;
  configuredProviders(): ConfiguredProvider[];
}

export type ProvidersConfig = AgentOsConfig['providers'];

interface ProviderEntry {
  info: ConfiguredProvider;
  create(model: string): ResolvedLanguageModel;
  /** Absent where the provider offers no embeddings (Anthropic). */
  embed?(model: string): ResolvedEmbeddingModel;
}

function describe(name: string, kind: ProviderKind, baseURL: string | undefined): ConfiguredProvider {
  return baseURL === undefined ? { name, kind } : { name, kind, baseURL };
}

function buildEntries(providers: ProvidersConfig): Map<string, ProviderEntry> {
  const entries = new Map<string, ProviderEntry>();
  const { openai, anthropic } = providers;
  if (openai !== undefined) {
    const sdk = createOpenAI({
      apiKey: openai.apiKey,
      ...(openai.baseURL === undefined ? {} : { baseURL: openai.baseURL }),
    });
    entries.set('openai', {
      info: describe('openai', 'openai', openai.baseURL),
      create: (model) => sdk.chat(model),
      embed: (model) => sdk.embedding(model),
    });
  }
  if (anthropic !== undefined) {
    const sdk = createAnthropic({
      apiKey: anthropic.apiKey,
      ...(anthropic.baseURL === undefined ? {} : { baseURL: anthropic.baseURL }),
    });
    entries.set('anthropic', {
      info: describe('anthropic', 'anthropic', anthropic.baseURL),
      create: (model) => sdk.languageModel(model),
    });
  }
  // An explicit openai/anthropic section wins over a compatible provider of the same name; among
  // compatible providers with the same name, the first one listed wins.
  for (const compatible of providers.compatible) {
    if (entries.has(compatible.name)) continue;
    const sdk = createOpenAICompatible({
      name: compatible.name,
      baseURL: compatible.baseURL,
      includeUsage: true,
      ...(compatible.apiKey === undefined ? {} : { apiKey: compatible.apiKey }),
    });
    entries.set(compatible.name, {
      info: describe(compatible.name, 'openai-compatible', compatible.baseURL),
      create: (model) => sdk.chatModel(model),
      embed: (model) => sdk.embeddingModel(model),
    });
  }
  return entries;
}

function unknownProvider(provider: string, name: string, configured: string[]): AgentOsError {
  const have =
    configured.length === 0
      ? 'No model providers are configured.'
      : `Configured providers: ${configured.join(', ')}.`;
  const message =
    `Unknown model provider "${provider}" in model name "${name}". ${have} ` +
    'To configure one, set OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_COMPATIBLE_BASE_URL ' +
    '(with AGENTOS_COMPATIBLE_NAME, default "local"), or add it under "providers" in agentos.config.json.';
  return new AgentOsError('model.unknown_provider', message, { provider, name, configured });
}

export function createModelRegistry(providers: ProvidersConfig): ModelRegistry {
  const entries = buildEntries(providers);
  const cache = new Map<string, ResolvedLanguageModel>();

  return {
    languageModel(name: string): ResolvedLanguageModel {
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      const { provider, model } = parseModelName(name);
      const entry = entries.get(provider);
      if (entry === undefined) throw unknownProvider(provider, name, [...entries.keys()]);
      let created: ResolvedLanguageModel;
      try {
        created = entry.create(model);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new AgentOsError(
          'model.provider_error',
          `Could not create model "${name}" with provider "${provider}": ${reason}`,
          { name, provider },
          { cause: error },
        );
      }
      cache.set(name, created);
      return created;
    },
    embeddingModel(name: string): ResolvedEmbeddingModel {
      const { provider, model } = parseModelName(name);
      const entry = entries.get(provider);
      if (entry === undefined) throw unknownProvider(provider, name, [...entries.keys()]);
      if (entry.embed === undefined) {
        throw new AgentOsError(
          'config.invalid',
          `Provider "${provider}" offers no embedding models ("${name}")`,
        );
      }
      return entry.embed(model);
    },
    configuredProviders(): ConfiguredProvider[] {
      return [...entries.values()].map((entry) => ({ ...entry.info }));
    },
  };
}
