// What each configured provider serves: the catalogue for openai/anthropic, and for an OpenAI-compatible
// server whatever its own `GET {baseURL}/models` reports (asked with a short timeout, a good answer cached).
import { z } from 'zod';
import type { CompatibleProviderConfig } from '../config/config-schema.ts';
import { MODEL_CATALOGUE, modelInfo } from './model-catalogue.ts';
import type { ProviderKind, ProvidersConfig } from './provider-registry.ts';

export type ProviderStatus = 'ok' | 'unreachable' | 'not_configured';

export interface ProviderReport {
  name: string;
  kind: ProviderKind;
  baseURL?: string;
  /** `ok`: configured and (for a compatible server) answered `/models`; `unreachable`: it did not. */
  status: ProviderStatus;
  /** Why it is unreachable or not configured, for a person. */
  message?: string;
  /** Where its models come from: the built-in catalogue, the server's own list, or nowhere (yet). */
  modelSource: 'catalogue' | 'provider' | 'none';
}

export interface ListedModel {
  /** `<provider>:<model>`, as agents name it. */
  name: string;
  provider: string;
  contextWindow: number;
  maxOutputTokens: number;
  /** Null where no price is known (self-hosted or compatible servers). */
  inputUsdPerMillion: number | null;
  outputUsdPerMillion: number | null;
}

export interface ProviderModelsReport {
  providers: ProviderReport[];
  models: ListedModel[];
}

export interface ProviderModelsOptions {
  /** How long `/models` may take before the provider counts as unreachable. */
  timeoutMs?: number;
  /** How long a good answer is reused. */
  cacheMs?: number;
  now?: () => number;
}

const modelList = z.object({ data: z.array(z.object({ id: z.string().min(1).max(300) })).max(5_000) });
const MAX_BODY_BYTES = 2_000_000;

const KEYED_KINDS = [
  { kind: 'openai', env: 'OPENAI_API_KEY' },
  { kind: 'anthropic', env: 'ANTHROPIC_API_KEY' },
] as const;

/** Asks one compatible server for its model ids; throws an Error with a readable message. */
async function fetchModelIds(provider: CompatibleProviderConfig, timeoutMs: number): Promise<string[]> {
  const url = `${provider.baseURL.replace(/\/+$/, '')}/models`;
  // The key goes to this provider's own endpoint only, and a redirect is refused rather than followed.
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      ...(provider.apiKey === undefined ? {} : { authorization: `Bearer ${provider.apiKey}` }),
    },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((error: unknown) => {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    if (name === 'TimeoutError') throw new Error(`GET ${url} did not answer within ${timeoutMs} ms`);
    throw new Error(`GET ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  if (text.length > MAX_BODY_BYTES) throw new Error(`GET ${url} answered more than ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${url} did not answer JSON`);
  }
  const parsed = modelList.safeParse(body);
  if (!parsed.success) throw new Error(`GET ${url} did not answer an OpenAI model list ({data: [{id}]})`);
  return [...new Set(parsed.data.data.map((model) => model.id))];
}

function catalogueModels(provider: 'openai' | 'anthropic'): ListedModel[] {
  return Object.keys(MODEL_CATALOGUE[provider] ?? {}).map((model) => {
    const info = modelInfo(provider, model);
    return {
      name: `${provider}:${model}`,
      provider,
      contextWindow: info.contextWindow,
      maxOutputTokens: info.maxOutputTokens,
      inputUsdPerMillion: info.inputUsdPerMillion,
      outputUsdPerMillion: info.outputUsdPerMillion,
    };
  });
}

function listedModel(provider: string, id: string): ListedModel {
  const info = modelInfo(provider, id);
  return {
    name: `${provider}:${id}`,
    provider,
    contextWindow: info.contextWindow,
    maxOutputTokens: info.maxOutputTokens,
    inputUsdPerMillion: null,
    outputUsdPerMillion: null,
  };
}

interface Listing {
  ids?: string[];
  error?: string;
  at: number;
}

/** The providers of `config` and the models they serve; compatible servers are asked, not assumed. */
export class ProviderModels {
  readonly #config: ProvidersConfig;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Listing>();
  readonly #inFlight = new Map<string, Promise<Listing>>();

  constructor(config: ProvidersConfig, options: ProviderModelsOptions = {}) {
    this.#config = config;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#cacheMs = options.cacheMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Every provider with its status, and every model they serve (catalogue or listed). */
  async report(): Promise<ProviderModelsReport> {
    const providers: ProviderReport[] = [];
    const models: ListedModel[] = [];
    for (const { kind, env } of KEYED_KINDS) {
      const section = this.#config[kind];
      if (section === undefined) {
        // A compatible server may take the name; then it is that provider, not an unconfigured one.
        if (this.#config.compatible.some((c) => c.name === kind)) continue;
        providers.push({
          name: kind,
          kind,
          status: 'not_configured',
          message: `${kind} needs an API key: set ${env} or providers.${kind}.apiKey in agentos.config.json`,
          modelSource: 'none',
        });
        continue;
      }
      providers.push({
        name: kind,
        kind,
        ...(section.baseURL === undefined ? {} : { baseURL: section.baseURL }),
        status: 'ok',
        modelSource: 'catalogue',
      });
      models.push(...catalogueModels(kind));
    }
    const compatible = this.#compatibleProviders();
    const listings = await Promise.all(compatible.map((provider) => this.#listing(provider)));
    compatible.forEach((provider, index) => {
      const listing = listings[index] as Listing;
      const base = { name: provider.name, kind: 'openai-compatible' as const, baseURL: provider.baseURL };
      if (listing.ids === undefined) {
        providers.push({
          ...base,
          status: 'unreachable',
          message: listing.error ?? 'no answer',
          modelSource: 'none',
        });
        return;
      }
      providers.push({ ...base, status: 'ok', modelSource: 'provider' });
      models.push(...listing.ids.map((id) => listedModel(provider.name, id)));
    });
    return { providers, models };
  }

  /** The compatible servers the registry uses: an openai/anthropic section, or an earlier entry, wins a name. */
  #compatibleProviders(): CompatibleProviderConfig[] {
    const seen = new Set<string>(
      KEYED_KINDS.filter((k) => this.#config[k.kind] !== undefined).map((k) => k.kind),
    );
    return this.#config.compatible.filter((provider) => {
      if (seen.has(provider.name)) return false;
      seen.add(provider.name);
      return true;
    });
  }

  async #listing(provider: CompatibleProviderConfig): Promise<Listing> {
    const cached = this.#cache.get(provider.name);
    if (cached !== undefined && this.#now() - cached.at < this.#cacheMs) return cached;
    const pending = this.#inFlight.get(provider.name);
    if (pending !== undefined) return pending;
    const asked = fetchModelIds(provider, this.#timeoutMs).then(
      (ids): Listing => {
        const listing = { ids, at: this.#now() };
        this.#cache.set(provider.name, listing);
        return listing;
      },
      // A failure is not cached: the next question asks again.
      (error: unknown): Listing => ({ error: (error as Error).message, at: this.#now() }),
    );
    this.#inFlight.set(provider.name, asked);
    try {
      return await asked;
    } finally {
      this.#inFlight.delete(provider.name);
    }
  }
}
