import { embedMany } from 'ai';
import type { ModelRegistry } from './provider-registry.ts';

/** Text to vectors through a configured embedding model (`memory.embeddingModel`): memory and knowledge use it. */
export interface Embedder {
  /** `<provider>:<model>`: vectors of another model are stale and re-embedded. */
  readonly model: string;
  embed(values: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** An embedder on the AI SDK's `embedMany`, through the configured providers. */
export function aiSdkEmbedder(registry: ModelRegistry, model: string): Embedder {
  const embeddingModel = registry.embeddingModel(model);
  return {
    model,
    embed: async (values, signal) =>
      (
        await embedMany({
          model: embeddingModel,
          values: [...values],
          maxRetries: 2,
          ...(signal === undefined ? {} : { abortSignal: signal }),
        })
      ).embeddings,
  };
}
