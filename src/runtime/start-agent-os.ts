import type { Hono } from 'hono';
import type { AgentOsConfig } from '../core/config/config-schema.ts';
import { ensureFirstStart, type FirstStartResult } from '../core/identity/first-start.ts';
import type { Kernel } from '../core/kernel/kernel.ts';
import type { Worker } from '../core/kernel/worker.ts';
import { openStore } from '../core/store/open-store.ts';
import type { Store } from '../core/store/sql-client.ts';
import type { BackgroundService } from '../core/time/periodic-task.ts';
import { auditAnchorPath } from '../plugins/audit/audit-anchor.ts';
import { AuditCheckpointer } from '../plugins/audit/audit-checkpointer.ts';
import { loadAuditSigner } from '../plugins/audit/audit-signer.ts';
import { type McpClients, startMcpClients } from '../plugins/mcp/mcp-clients.ts';
import { LlmScheduler } from '../plugins/scheduler/llm-scheduler.ts';
import { SchedulerMembership } from '../plugins/scheduler/scheduler-membership.ts';
import { startTracing, type TracingHandle } from '../plugins/telemetry/tracing.ts';
import { createApp } from '../surfaces/http/app.ts';
import type { AppEnv } from '../surfaces/http/app-env.ts';
import { type RunningHttpServer, serveHttp } from '../surfaces/http/serve-http.ts';
import { createKernel, type KernelOptions } from './create-kernel.ts';
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

/** One process of Agent OS with any mix of roles: the API (HTTP + SSE) and a worker. */
export async function startAgentOs(config: AgentOsConfig, options: StartOptions): Promise<AgentOsProcess> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const tracing = await startTracing({ serviceVersion: AGENT_OS_VERSION, log });
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, home: config.home }));
  let http: RunningHttpServer | undefined;
  let app: Hono<AppEnv> | undefined;
  let worker: Worker | undefined;
  const background: BackgroundService[] = [];
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
      background.push(...kernel.plugins.background({ kernel, log, version: AGENT_OS_VERSION }));
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
