import type { AgentOsConfig } from '../core/config/config-schema.ts';
import { buildKernel, type Kernel } from '../core/kernel/kernel.ts';
import type { ModelGateway } from '../core/kernel/model-gateway.ts';
import { aiSdkEmbedder, type Embedder } from '../core/models/embedder.ts';
import { createModelRegistry } from '../core/models/provider-registry.ts';
import type { Store } from '../core/store/sql-client.ts';
import type { ToolRegistry } from '../core/tools/tool-registry.ts';
import { LlmScheduler } from '../plugins/scheduler/llm-scheduler.ts';
import { defaultPlugins } from './default-plugins.ts';

export interface KernelOptions {
  tools?: ToolRegistry;
  gateway?: ModelGateway;
  embedder?: Embedder;
  log?: (message: string) => void;
}

/** The kernel of this process: the configured providers behind the LLM scheduler, and the default plugins. */
export function createKernel(store: Store, config: AgentOsConfig, options: KernelOptions = {}): Kernel {
  const models = createModelRegistry(config.providers);
  const embedder =
    options.embedder ??
    (config.memory.embeddingModel === undefined
      ? undefined
      : aiSdkEmbedder(models, config.memory.embeddingModel));
  return buildKernel(store, config, {
    plugins: defaultPlugins(config, { embedder }),
    gateway: options.gateway ?? new LlmScheduler(models, config.scheduler),
    tools: options.tools,
    embedder,
    log: options.log,
  });
}
