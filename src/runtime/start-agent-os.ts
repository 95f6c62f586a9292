import type { Hono } from 'hono';
import type { AgentOsConfig } from '../core/config/config-schema.ts';
import { ensureFirstStart, type FirstStartResult } from '../core/identity/first-start.ts';
import type { Kernel } from '../core/kernel/kernel.ts';
import type { Worker } from '../core/kernel/worker.ts';
import { openStore } from '../core/store/open-store.ts';
import type { Store } from '../core/store/sql-client.ts';
import { auditAnchorPath } from '../plugins/audit/audit-anchor.ts';
import { AuditCheckpointer } from '../plugins/audit/audit-checkpointer.ts';
import { loadAuditSigner } from '../plugins/audit/audit-signer.ts';
import { embedPendingChunks } from '../plugins/knowledge/knowledge-embeddings.ts';
import { syncDueSources } from '../plugins/knowledge/source-sync.ts';
import { type McpClients, startMcpClients } from '../plugins/mcp/mcp-clients.ts';
import { consolidateMemories } from '../plugins/memory/memory-consolidation.ts';
import { embedPendingMemories } from '../plugins/memory/memory-embeddings.ts';
import { orchestrationTick } from '../plugins/orchestration/orchestration-ticker.ts';
import { PlanExecutor } from '../plugins/orchestration/plan-executor.ts';
import { LlmScheduler } from '../plugins/scheduler/llm-scheduler.ts';
import { SchedulerMembership } from '../plugins/scheduler/scheduler-membership.ts';
import { startTracing, type TracingHandle } from '../plugins/telemetry/tracing.ts';
import { createApp } from '../surfaces/http/app.ts';
import type { AppEnv } from '../surfaces/http/app-env.ts';
import { type RunningHttpServer, serveHttp } from '../surfaces/http/serve-http.ts';
import { createKernel, type KernelOptions } from './create-kernel.ts';
import { PeriodicTask } from './periodic-task.ts';
import { AGENT_OS_VERSION } from './version.ts';

export type ProcessRole = 'api' | 'worker';

export interface AgentOsProcess {
  store: Store;
  kernel: Kernel;
  http: RunningHttpServer | undefined;
  /** OTLP tracing, on when the OTEL_* variables configure an exporter; stop() flushes it. */
  tracing: TracingHandle;
  /** The HTTP app served by `http` (its route table documents what the API exposes). */
  app: Hono<AppEnv> | undefined;
  worker: Worker | undefined;
  firstStart: FirstStartResult;
  /** Graceful: stop taking work, hand in-flight runs back, let requests finish, close the store. */
  stop(): Promise<void>;
}

export interface StartOptions extends Omit<KernelOptions, 'log'> {
  roles: readonly ProcessRole[];
  log?: (message: string) => void;
  /** Use this store instead of opening the configured one (tests). It is closed by stop(). */
  store?: Store;
}

/** How often a worker embeds memories written since (when an embedding model is configured). */
const EMBED_EVERY_MS = 5_000;
/** How often a worker fires due cron and event triggers and expires overdue questions. */
const ORCHESTRATION_TICK_MS = 5_000;
/** How often a worker looks for knowledge sources whose re-sync schedule is due. */
const KNOWLEDGE_SYNC_TICK_MS = 30_000;

/** One process of Agent OS with any mix of roles: the API (HTTP + SSE) and a worker. */
export async function startAgentOs(config: AgentOsConfig, options: StartOptions): Promise<AgentOsProcess> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const tracing = await startTracing({ serviceVersion: AGENT_OS_VERSION, log });
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, home: config.home }));
  let http: RunningHttpServer | undefined;
  let app: Hono<AppEnv> | undefined;
  let worker: Worker | undefined;
  let plans: PlanExecutor | undefined;
  const background: PeriodicTask[] = [];
  let membership: SchedulerMembership | undefined;
  let mcpClients: McpClients | undefined;
  try {
    const firstStart = options.roles.includes('api')
      ? await ensureFirstStart(store, config.home)
      : { created: false as const };
    const kernel = createKernel(store, config, {
      log,
      ...(options.tools ? { tools: options.tools } : {}),
      ...(options.gateway ? { gateway: options.gateway } : {}),
    });
    mcpClients = startMcpClients(store, kernel.tools, { home: config.home, version: AGENT_OS_VERSION, log });
    if (options.roles.includes('api')) {
      app = createApp({
        store,
        config,
        version: AGENT_OS_VERSION,
        log,
        kernel,
        mcpServers: mcpClients.manager,
      });
      http = await serveHttp(app, { host: config.host, port: config.port });
    }
    if (options.roles.includes('worker')) {
      worker = kernel.startWorker();
      background.push(
        new PeriodicTask(
          'orchestration tick',
          ORCHESTRATION_TICK_MS,
          async () => {
            await orchestrationTick(kernel);
            return undefined;
          },
          log,
        ),
      );
      background.push(
        new PeriodicTask(
          'knowledge sync',
          KNOWLEDGE_SYNC_TICK_MS,
          async () => {
            const synced = await syncDueSources({ store, version: AGENT_OS_VERSION, home: config.home, log });
            return synced.length > 0
              ? synced.map((r) => `${r.sourceId} ${r.status} ${JSON.stringify(r.counts)}`).join('; ')
              : undefined;
          },
          log,
        ),
      );
      plans = new PlanExecutor(kernel, { log });
      plans.start();
      background.push(
        new PeriodicTask(
          'memory consolidation',
          config.memory.consolidateEveryMs,
          async () => {
            const result = await consolidateMemories(store);
            return result.merged + result.expired + result.blocksRewritten > 0
              ? `merged ${result.merged}, expired ${result.expired}, rewrote ${result.blocksRewritten} blocks`
              : undefined;
          },
          log,
        ),
      );
      const { embedder } = kernel;
      if (embedder !== undefined) {
        background.push(
          new PeriodicTask(
            'memory embeddings',
            EMBED_EVERY_MS,
            async () => {
              const embedded = await embedPendingMemories(store, embedder);
              return embedded > 0 ? `embedded ${embedded} memories with ${embedder.model}` : undefined;
            },
            log,
          ),
        );
        background.push(
          new PeriodicTask(
            'knowledge embeddings',
            EMBED_EVERY_MS,
            async () => {
              const embedded = await embedPendingChunks(store, embedder);
              return embedded > 0
                ? `embedded ${embedded} knowledge chunks with ${embedder.model}`
                : undefined;
            },
            log,
          ),
        );
      }
      for (const task of background) task.start();
      if (kernel.gateway instanceof LlmScheduler && config.scheduler.coordinate) {
        membership = new SchedulerMembership(store, kernel.gateway, { memberId: worker.id });
        await membership.start();
      }
    }
    const checkpointer = new AuditCheckpointer(store, loadAuditSigner(config.home), {
      log,
      anchorFile: auditAnchorPath(config),
    });
    checkpointer.start();
    let stopping: Promise<void> | undefined;
    return {
      store,
      kernel,
      http,
      app,
      worker,
      firstStart,
      tracing,
      stop: () => {
        stopping ??= (async () => {
          kernel.beginStop();
          await plans?.stop();
          for (const task of background) await task.stop();
          await worker?.stop();
          await membership?.stop();
          await http?.close();
          await mcpClients?.close();
          await checkpointer.stop();
          await tracing.shutdown();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await plans?.stop();
    for (const task of background) await task.stop();
    await worker?.stop();
    await membership?.stop();
    await http?.close(0);
    await mcpClients?.close();
    await tracing.shutdown();
    await store.close();
    throw error;
  }
}
