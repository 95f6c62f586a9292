import type { AgentOsConfig } from '../config/config-schema.ts';
import { conversationFileSources } from '../conversations/conversation-file-search.ts';
import { knowledgeTools } from '../knowledge/knowledge-tool.ts';
import { memoryTools } from '../memory/memory-tools.ts';
import { aiSdkEmbedder, type Embedder } from '../models/embedder.ts';
import { createModelRegistry } from '../models/provider-registry.ts';
import { askHumanTool } from '../orchestration/ask-human-tool.ts';
import { type CreatePlanDeps, createPlanTool } from '../orchestration/create-plan-tool.ts';
import { handOffTool } from '../orchestration/hand-off-tool.ts';
import { runAgentTool } from '../orchestration/run-agent-tool.ts';
import { scheduleTaskTool } from '../orchestration/schedule-task-tool.ts';
import { LlmScheduler } from '../scheduler/llm-scheduler.ts';
import { loadSecretBox, type SecretBox } from '../secrets/secret-box.ts';
import type { Store } from '../store/sql-client.ts';
import { tracedGateway } from '../telemetry/traced-gateway.ts';
import { builtinTools } from '../tools/builtin/builtin-tools.ts';
import { ToolRegistry } from '../tools/tool-registry.ts';
import { budgetedGateway } from '../usage/budgeted-gateway.ts';
import type { ModelGateway } from './model-gateway.ts';
import { KernelSignals } from './run-events.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export interface Kernel {
  store: Store;
  config: AgentOsConfig;
  signals: KernelSignals;
  tools: ToolRegistry;
  gateway: ModelGateway;
  /** The configured embedding model (`memory.embeddingModel`), if any. */
  embedder: Embedder | undefined;
  startWorker(options?: Partial<WorkerOptions>): Worker;
}

export interface KernelOptions {
  tools?: ToolRegistry;
  gateway?: ModelGateway;
  embedder?: Embedder;
  log?: (message: string) => void;
}

/** The agent process model for one OS process: shared signals, tools and model access, and its workers. */
export function createKernel(store: Store, config: AgentOsConfig, options: KernelOptions = {}): Kernel {
  const signals = new KernelSignals();
  const models = createModelRegistry(config.providers);
  const embedder =
    options.embedder ??
    (config.memory.embeddingModel === undefined
      ? undefined
      : aiSdkEmbedder(models, config.memory.embeddingModel));
  let box: SecretBox | undefined;
  const secretBox = (): SecretBox => {
    box ??= loadSecretBox(config.home);
    return box;
  };
  const orchestrationTools = [
    askHumanTool(),
    runAgentTool(() => ({ store, signals })),
    handOffTool(() => ({ store, signals })),
    createPlanTool((): CreatePlanDeps => ({ store, signals, tools })),
    // The secret box (and its key file) is only touched when a task is actually scheduled.
    scheduleTaskTool(() => ({ store, box: secretBox() })),
  ];
  const tools =
    options.tools ??
    new ToolRegistry([
      ...builtinTools(config),
      ...memoryTools(store, { embedder }),
      ...knowledgeTools(store, { embedder, scopedSources: conversationFileSources }),
      ...orchestrationTools,
    ]);
  const gateway = options.gateway ?? new LlmScheduler(models, config.scheduler);
  return {
    store,
    config,
    signals,
    tools,
    gateway,
    embedder,
    startWorker: (overrides = {}) => {
      const worker = new Worker(
        // Runs' calls pass their budgets first, then are traced (both no-ops when unused).
        { store, signals, tools, gateway: budgetedGateway(store, tracedGateway(gateway)), embedder },
        {
          concurrency: config.worker.concurrency,
          leaseMs: config.worker.leaseMs,
          pollMs: config.worker.pollMs,
          ...(options.log ? { log: options.log } : {}),
          ...overrides,
        },
      );
      worker.start();
      return worker;
    },
  };
}
