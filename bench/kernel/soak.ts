// Soak (ours only): many short runs through one kernel, heap measured after GC every `sampleEvery` runs.
// A flat heap has a slope near 0 bytes per run once the first batch has warmed the caches.
import { z } from 'zod';
import { defineTool } from '../../src/core/tools/tool.ts';
import type { BenchStoreKind } from './bench-store.ts';
import { settledHeap } from './paused-heap.ts';
import { AGENT_NAME, openBenchKernel, type ProviderLimits } from './peers/agent-os.ts';
import { lookup, sleep, TOOL_DESCRIPTION, TOOL_NAME, userTask } from './workload.ts';

const DONE = ['succeeded', 'failed', 'cancelled', 'budget_exceeded', 'paused'];
/** Runs in flight at once: as many as the simulator's slots. */
const CONCURRENCY = 64;

export interface SoakResult {
  runs: number;
  succeeded: number;
  /** [runs ended, heapUsed after GC] from 0 (after set-up) to `runs`. */
  samples: Array<[number, number]>;
  /** Least-squares slope of heap over runs, from the first sample after 0 on. */
  bytesPerRun: number | null;
  rssBytes: number;
  makespanMs: number;
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  return sxx === 0 ? null : sxy / sxx;
}

export async function measureSoak(options: {
  baseURL: string;
  store: BenchStoreKind;
  n: number;
  steps: number;
  sampleEvery: number;
  limits: ProviderLimits;
  log: (message: string) => void;
}): Promise<SoakResult> {
  const lookupTool = defineTool({
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ query: z.string() }),
    idempotent: true,
    effect: 'read',
    execute: async ({ query }) => lookup(query, 0),
  });
  const bench = await openBenchKernel(
    options.baseURL,
    options.store,
    [lookupTool],
    CONCURRENCY,
    options.limits,
  );
  const ended = async () =>
    (
      await bench.store.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM runs WHERE status = ANY($1::text[])',
        [DONE],
      )
    ).rows[0]?.count ?? 0;
  const worker = bench.kernel.startWorker({ concurrency: CONCURRENCY, leaseMs: 30_000, pollMs: 20 });
  try {
    const workspaceId = await bench.workspace('default', options.steps);
    const samples: Array<[number, number]> = [[0, await settledHeap()]];
    const t0 = performance.now();
    for (let from = 0; from < options.n; from += options.sampleEvery) {
      const to = Math.min(options.n, from + options.sampleEvery);
      // Submitted a few slots ahead of the worker so the queue never runs dry and never grows large.
      for (let i = from; i < to; i += CONCURRENCY) {
        await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, to - i) }, (_, k) =>
            bench.kernel.runs.submit({
              workspaceId,
              userId: null,
              agent: AGENT_NAME,
              task: userTask(i + k),
              priority: 'standard',
            }),
          ),
        );
        while ((await ended()) < i + Math.min(CONCURRENCY, to - i) - CONCURRENCY) await sleep(25);
      }
      while ((await ended()) < to) await sleep(25);
      samples.push([to, await settledHeap()]);
      options.log(
        `soak: ${to}/${options.n} runs, heap ${Math.round((samples.at(-1)?.[1] ?? 0) / 1024 / 1024)} MB`,
      );
    }
    const makespanMs = performance.now() - t0;
    const { rows } = await bench.store.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM runs WHERE status = 'succeeded'",
    );
    return {
      runs: options.n,
      succeeded: rows[0]?.count ?? 0,
      samples,
      bytesPerRun: slope(samples.slice(1)),
      rssBytes: process.memoryUsage.rss(),
      makespanMs,
    };
  } finally {
    await worker.stop();
    await bench.close();
  }
}
