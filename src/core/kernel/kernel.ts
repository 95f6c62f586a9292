import type { AgentOsConfig } from '../config/config-schema.ts';
import type { Embedder } from '../models/embedder.ts';
import type { Store } from '../store/sql-client.ts';
import { builtinTools } from '../tools/builtin/builtin-tools.ts';
import { ToolRegistry } from '../tools/tool-registry.ts';
import type { KernelParts, KernelPlugin } from './kernel-plugin.ts';
import type { ModelGateway } from './model-gateway.ts';
import { PlanNotices } from './plan-notices.ts';
import { PluginSet } from './plugin-set.ts';
import { RunControl } from './run-control.ts';
import { type KernelEvents, KernelSignals } from './run-events.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export interface Kernel {
  store: Store;
  config: AgentOsConfig;
  /** This process's wake-ups, to listen to; they are emitted by `runs` and `plans` with their writes. */
  events: KernelEvents;
  tools: ToolRegistry;
  /** The model gateway as configured (the scheduler); runs' calls also pass the plugins' middleware. */
  gateway: ModelGateway;
  /** The configured embedding model (`memory.embeddingModel`), if any. */
  embedder: Embedder | undefined;
  plugins: PluginSet;
  /** Submit, enqueue, cancel, resume, and the wake-ups after plugins' own run writes. */
  runs: RunControl;
  /** A plan's state changed (orchestration writes plans; the kernel carries the wake-up). */
  plans: PlanNotices;
  startWorker(options?: Partial<WorkerOptions>): Worker;
  /**
   * The first step of a graceful stop: `events.stopping` fires, so event streams, followers and long tool
   * waits end. Workers and background tasks are stopped by whoever started them.
   */
  beginStop(): void;
}

export interface KernelOptions {
  /** The features hooked into the kernel, in order (runtime/default-plugins.ts). */
  plugins: readonly KernelPlugin[];
  gateway: ModelGateway;
  /** Replaces the built-in and plugin tools (tests). */
  tools?: ToolRegistry | undefined;
  embedder?: Embedder | undefined;
  log?: ((message: string) => void) | undefined;
}

/**
 * The agent process model for one OS process: shared signals, tools and model access, and its workers.
 * It knows no feature by name: memory, skills, policy, usage and the rest come in as plugins.
 */
export function buildKernel(store: Store, config: AgentOsConfig, options: KernelOptions): Kernel {
  const signals = new KernelSignals();
  const plugins = new PluginSet(options.plugins);
  const runs = new RunControl(store, signals, plugins);
  const plans = new PlanNotices(signals);
  let registry: ToolRegistry | undefined;
  const parts: KernelParts = {
    store,
    runs,
    plans,
    events: signals,
    tools: () => {
      if (registry === undefined) throw new Error('The tool registry is read before it is built');
      return registry;
    },
  };
  registry = options.tools ?? new ToolRegistry([...builtinTools(config), ...plugins.tools(parts)]);
  const tools = registry;
  const gateway = options.gateway;
  const runGateway = plugins.wrapGateway(gateway, parts);
  return {
    store,
    config,
    events: signals,
    tools,
    gateway,
    embedder: options.embedder,
    plugins,
    runs,
    plans,
    beginStop: () => signals.shutdown(),
    startWorker: (overrides = {}) => {
      const worker = new Worker(
        { store, signals, tools, gateway: runGateway, plugins },
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
