// This project: an in-process kernel on a real store, with createKernel's default model gateway.

import { z } from 'zod';
import { agentDefinitionSchema } from '../../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../../src/core/agents/agent-repo.ts';
import { type AgentOsConfig, configSchema } from '../../../src/core/config/config-schema.ts';
import { createWorkspace } from '../../../src/core/identity/workspace-repo.ts';
import type { Kernel } from '../../../src/core/kernel/kernel.ts';
import type { Store } from '../../../src/core/store/sql-client.ts';
import type { ToolDefinition } from '../../../src/core/tools/tool.ts';
import { defineTool } from '../../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../../src/core/tools/tool-registry.ts';
import { startTracing } from '../../../src/plugins/telemetry/tracing.ts';
import { createKernel } from '../../../src/runtime/create-kernel.ts';
import { type BenchStoreKind, openBenchStore } from '../bench-store.ts';
import {
  arrive,
  countError,
  lookup,
  type RunAgentsOptions,
  type RunAgentsResult,
  simInstructions,
  sleep,
  TOOL_DESCRIPTION,
  TOOL_NAME,
  turns,
  userTask,
} from '../workload.ts';

export const AGENT_NAME = 'researcher';
const DONE = ['succeeded', 'failed', 'cancelled', 'budget_exceeded', 'paused'];

export interface AgentOsRunOptions extends RunAgentsOptions {
  store?: BenchStoreKind;
  providerLimits?: ProviderLimits;
}

export interface BenchKernel {
  kernel: Kernel;
  store: Store;
  /** The database other processes can open (PostgreSQL only). */
  databaseUrl: string | null;
  /** The workspace for a tenant label, created with its agent on first use. */
  workspace(label: string, steps: number): Promise<string>;
  close(): Promise<void>;
}

/** A default configuration (parsed, so every default applies) with the simulator as provider `sim`. */
export function benchConfig(
  baseURL: string,
  concurrency: number,
  limits?: ProviderLimits,
  where: { home: string; databaseUrl?: string } = { home: '.' },
): AgentOsConfig {
  return configSchema.parse({
    ...where,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error',
    providers: { compatible: [{ name: 'sim', baseURL }] },
    worker: { concurrency, leaseMs: 30_000, pollMs: 20 },
    // The provider's published limits, as an operator configures them (README: "Tell the scheduler your
    // provider's limits"); the peers have no such setting.
    ...(limits === undefined ? {} : { scheduler: { lanes: { sim: limits } } }),
  });
}

/** What the operator knows about the provider: its slots and its rate limit. */
export interface ProviderLimits {
  concurrency: number;
  rpm?: number;
}

export async function openBenchKernel(
  baseURL: string,
  storeKind: BenchStoreKind,
  tools: readonly ToolDefinition[],
  concurrency: number,
  limits?: ProviderLimits,
): Promise<BenchKernel> {
  const bench = await openBenchStore(storeKind);
  // As `serve` does: spans are exported only when OTEL_* variables ask for it (the bench's tracing-on runs).
  const tracing = await startTracing({ serviceVersion: 'bench' });
  const kernel = createKernel(bench.store, benchConfig(baseURL, concurrency, limits), {
    tools: new ToolRegistry(tools),
    log: (message) => process.stderr.write(`agent-os: ${message}\n`),
  });
  const workspaces = new Map<string, Promise<string>>();
  const makeWorkspace = async (label: string, steps: number): Promise<string> => {
    const workspace = await createWorkspace(bench.store, `bench-${label}`);
    await createAgent(bench.store, {
      workspaceId: workspace.id,
      definition: agentDefinitionSchema.parse({
        name: AGENT_NAME,
        description: 'Researches a topic with a lookup tool',
        instructions: simInstructions(steps, tools[0]?.name),
        model: 'sim:sim-1',
        tools: tools.map((tool) => tool.name),
        // Every tool step and the answer are model turns: a chain longer than the default 20 needs room.
        limits: { maxSteps: Math.max(20, steps + 1) },
      }),
    });
    return workspace.id;
  };
  return {
    kernel,
    store: bench.store,
    databaseUrl: bench.databaseUrl,
    workspace: (label, steps) => {
      let id = workspaces.get(label);
      if (id === undefined) {
        id = makeWorkspace(label, steps);
        workspaces.set(label, id);
      }
      return id;
    },
    close: async () => {
      await tracing.shutdown();
      await bench.close();
    },
  };
}

interface Pending {
  index: number;
  arrivedAt: number;
}

/**
 * Polls the store for settled runs, one cheap query per tick (recently updated rows only), so that watching
 * takes little of the store's time. The 5 s margin covers transactions that started before the last tick.
 */
async function watchRuns(
  store: Store,
  pending: Map<string, Pending>,
  isOver: () => boolean,
  onDone: (pending: Pending, status: string, error: string | null) => void,
): Promise<void> {
  let since = new Date(Date.now() - 60_000);
  while (!isOver()) {
    await sleep(25);
    if (pending.size === 0) continue;
    const tick = Date.now();
    const { rows } = await store.query<{ id: string; status: string; error: { message?: string } | null }>(
      'SELECT id, status, error FROM runs WHERE updated_at >= $1 AND status = ANY($2::text[])',
      [since, DONE],
    );
    since = new Date(tick - 5_000);
    for (const row of rows) {
      const run = pending.get(row.id);
      if (run === undefined) continue;
      pending.delete(row.id);
      onDone(run, row.status, row.error?.message ?? null);
    }
  }
}

export async function runAgents(options: AgentOsRunOptions): Promise<RunAgentsResult> {
  const indexOfRun = new Map<string, number>();
  const lookupTool = defineTool({
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ query: z.string() }),
    idempotent: true,
    effect: 'read',
    execute: async ({ query }, context) => {
      const index = indexOfRun.get(context.runId);
      if (index !== undefined) options.onToolCall?.(index);
      return lookup(query, options.toolMs);
    },
  });
  const bench = await openBenchKernel(
    options.baseURL,
    options.store ?? 'pglite',
    [lookupTool],
    options.n,
    options.providerLimits,
  );
  const labels = new Set(Array.from({ length: options.n }, (_, i) => options.workspaceOf?.(i) ?? 'default'));
  for (const label of labels) await bench.workspace(label, options.steps);
  const worker = bench.kernel.startWorker({ concurrency: options.n, leaseMs: 30_000, pollMs: 20 });

  const latencies = new Array<number>(options.n).fill(Number.NaN);
  const errors: Record<string, number> = {};
  const pending = new Map<string, Pending>();
  let failed = 0;
  let remaining = options.n;
  const order = turns(options);
  const settle = (index: number, ms: number, ok: boolean, why?: string) => {
    latencies[index] = ms;
    remaining--;
    if (!ok) {
      failed++;
      countError(errors, new Error(why ?? 'unknown'));
    }
    options.onRunDone?.(index, ms, ok);
    order.ended(index);
  };
  options.onStart?.();
  const t0 = performance.now();
  const submitAll = Promise.all(
    Array.from({ length: options.n }, async (_, i) => {
      await order.wait(i);
      await arrive(options, i, t0);
      const arrivedAt = performance.now();
      try {
        const run = await bench.kernel.runs.submit({
          workspaceId: await bench.workspace(options.workspaceOf?.(i) ?? 'default', options.steps),
          userId: null,
          agent: AGENT_NAME,
          task: userTask(i),
          priority: options.priorityOf?.(i) ?? 'standard',
        });
        indexOfRun.set(run.id, i);
        pending.set(run.id, { index: i, arrivedAt });
      } catch (error) {
        settle(i, performance.now() - arrivedAt, false, `submit: ${(error as Error).message}`);
      }
    }),
  );
  try {
    await Promise.all([
      submitAll,
      watchRuns(
        bench.store,
        pending,
        () => remaining === 0,
        (run, status, error) =>
          settle(run.index, performance.now() - run.arrivedAt, status === 'succeeded', `${status}: ${error}`),
      ),
    ]);
  } finally {
    await worker.stop();
    await bench.close();
  }
  return { failed, latencies, errors, gateway: bench.kernel.gateway.constructor.name };
}
