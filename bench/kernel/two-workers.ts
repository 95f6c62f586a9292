// Two-worker scenario (PostgreSQL only): worker processes started as `agentos worker` starts them, sharing
// one database; this process only submits the runs and watches them end. Every run is in flight at once
// (each worker takes an equal share), so one worker vs two compares processes, not concurrency.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineTool } from '../../src/core/tools/tool.ts';
import { AGENT_NAME, openBenchKernel, type ProviderLimits } from './peers/agent-os.ts';
import type { WorkerProcessRequest } from './worker-process.ts';
import { lookup, sleep, TOOL_DESCRIPTION, TOOL_NAME, userTask } from './workload.ts';

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const DONE = ['succeeded', 'failed', 'cancelled', 'budget_exceeded', 'paused'];

export interface WorkersResult {
  workers: number;
  makespanMs: number;
  succeeded: number;
  /** Tool steps each worker process executed (its own count, printed as it stops). */
  toolCallsPerWorker: number[];
  ended: Record<string, number>;
}

interface StartedWorker {
  child: ChildProcess;
  exited: Promise<void>;
  /** Its last stdout line, once it has exited. */
  lastLine(): string;
}

function startWorker(request: WorkerProcessRequest, log: (message: string) => void): Promise<StartedWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(request)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stderr?.on('data', (chunk: Buffer) => log(`worker ${child.pid}: ${chunk.toString('utf8').trim()}`));
  let buffer = '';
  const lastLine = () => buffer.trim().split('\n').at(-1) ?? '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('"ready":true')) resolve({ child, exited, lastLine });
    });
    void exited.then(() => reject(new Error(`worker process ${child.pid} exited before it was ready`)));
  });
}

export async function measureWorkers(options: {
  baseURL: string;
  n: number;
  steps: number;
  workers: number;
  limits: ProviderLimits;
  log: (message: string) => void;
}): Promise<WorkersResult> {
  // The coordinator's registry only has to know the tool's name for submissions to be validated.
  const lookupTool = defineTool({
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ query: z.string() }),
    idempotent: true,
    effect: 'read',
    execute: async ({ query }) => lookup(query, 0),
  });
  const bench = await openBenchKernel(options.baseURL, 'postgres', [lookupTool], options.n, options.limits);
  const started: StartedWorker[] = [];
  try {
    const databaseUrl = bench.databaseUrl;
    if (databaseUrl === null) throw new Error('the two-worker scenario needs PostgreSQL');
    const workspaceId = await bench.workspace('default', options.steps);
    const request: WorkerProcessRequest = {
      databaseUrl,
      baseURL: options.baseURL,
      concurrency: Math.ceil(options.n / options.workers),
      toolMs: 0,
      limits: options.limits,
    };
    const starting = await Promise.allSettled(
      Array.from({ length: options.workers }, () => startWorker(request, options.log)),
    );
    for (const outcome of starting) {
      if (outcome.status === 'fulfilled') started.push(outcome.value);
    }
    const refused = starting.find((outcome) => outcome.status === 'rejected');
    if (refused !== undefined) throw refused.reason;
    // Every worker heartbeats its scheduler membership at start; one interval lets each count the others.
    await sleep(2_500);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: options.n }, (_, i) =>
        bench.kernel.runs.submit({
          workspaceId,
          userId: null,
          agent: AGENT_NAME,
          task: userTask(i),
          priority: 'standard',
        }),
      ),
    );
    let done = 0;
    while (done < options.n) {
      await sleep(25);
      const { rows } = await bench.store.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM runs WHERE status = ANY($1::text[])',
        [DONE],
      );
      done = rows[0]?.count ?? 0;
    }
    const makespanMs = performance.now() - t0;
    const { rows: statuses } = await bench.store.query<{ status: string; count: number }>(
      'SELECT status, count(*)::int AS count FROM runs GROUP BY 1',
    );
    const ended = Object.fromEntries(statuses.map((row) => [row.status, row.count]));
    await stopAll(started);
    return {
      workers: options.workers,
      makespanMs,
      succeeded: ended.succeeded ?? 0,
      toolCallsPerWorker: started.map((worker) => toolCallsOf(worker.lastLine())),
      ended,
    };
  } finally {
    await stopAll(started);
    await bench.close();
  }
}

async function stopAll(workers: StartedWorker[]): Promise<void> {
  for (const worker of workers)
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
}

function toolCallsOf(line: string): number {
  try {
    return (JSON.parse(line) as { toolCalls?: number }).toolCalls ?? Number.NaN;
  } catch {
    return Number.NaN;
  }
}
