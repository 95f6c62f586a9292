// Heap held per paused run (ours only). Runs pause the way the kernel pauses them: a non-idempotent tool
// call is journaled `started`, its worker stops (the run goes back to the queue), and the next attempt
// finds an outcome it cannot know and pauses with `tool_outcome_unknown`.
import { z } from 'zod';
import { defineTool } from '../../src/core/tools/tool.ts';
import type { BenchStoreKind } from './bench-store.ts';
import { AGENT_NAME, openBenchKernel } from './peers/agent-os.ts';
import { sleep, userTask } from './workload.ts';

export interface PausedHeapResult {
  runs: number;
  paused: number;
  heapBaselineBytes: number;
  heapAfterBytes: number;
  heapBytesPerPausedRun: number | null;
  rssDeltaBytes: number;
  /** Why runs ended instead of pausing: status and error code → count. */
  ended: Record<string, number>;
  phaseMs: { submitAndStart: number; pause: number };
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
}

export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await sleep(50);
    collect();
  }
  return process.memoryUsage().heapUsed;
}

export async function measurePausedHeap(options: {
  baseURL: string;
  store: BenchStoreKind;
  n: number;
  log: (message: string) => void;
}): Promise<PausedHeapResult> {
  let started = 0;
  const charge = defineTool({
    name: 'charge',
    description: 'Charges the customer (not idempotent, no reconcile)',
    inputSchema: z.object({ query: z.string() }),
    idempotent: false,
    // Never finishes by itself: the worker stops while every call is in flight.
    execute: (_input, context) => {
      started++;
      return new Promise((_, reject) =>
        context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }),
      );
    },
  });
  const bench = await openBenchKernel(options.baseURL, options.store, [charge], options.n);
  const count = async (statuses: string[]) =>
    (
      await bench.store.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM runs WHERE status = ANY($1::text[])',
        [statuses],
      )
    ).rows[0]?.count ?? 0;
  const ended = ['succeeded', 'failed', 'cancelled', 'budget_exceeded'];
  try {
    const workspaceId = await bench.workspace('default', 1);
    const heapBaselineBytes = await settledHeap();
    const rssBaseline = process.memoryUsage.rss();
    const t0 = performance.now();
    const first = bench.kernel.startWorker({ concurrency: options.n, leaseMs: 30_000, pollMs: 20 });
    for (let i = 0; i < options.n; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, options.n - i) }, (_, k) =>
          bench.kernel.runs.submit({
            workspaceId,
            userId: null,
            agent: AGENT_NAME,
            task: userTask(i + k),
            priority: 'standard',
          }),
        ),
      );
    }
    options.log(`paused-heap: ${options.n} runs submitted in ${Math.round(performance.now() - t0)} ms`);
    for (let tick = 0; started + (await count(ended)) < options.n; tick++) {
      await sleep(250);
      if (tick % 8 === 7) options.log(`paused-heap: ${started}/${options.n} runs inside the tool`);
    }
    await first.stop();
    const t1 = performance.now();
    const second = bench.kernel.startWorker({ concurrency: 256, leaseMs: 30_000, pollMs: 20 });
    let paused = 0;
    for (let tick = 0; ; tick++) {
      paused = await count(['paused']);
      if (paused + (await count(ended)) >= options.n) break;
      await sleep(250);
      if (tick % 8 === 7) options.log(`paused-heap: ${paused}/${options.n} runs paused`);
    }
    const t2 = performance.now();
    const heapAfterBytes = await settledHeap();
    const rssDeltaBytes = process.memoryUsage.rss() - rssBaseline;
    await second.stop();
    const { rows } = await bench.store.query<{ status: string; code: string | null; count: number }>(
      `SELECT status, error->>'code' AS code, count(*)::int AS count FROM runs
       WHERE status = ANY($1::text[]) GROUP BY 1, 2`,
      [ended],
    );
    return {
      runs: options.n,
      paused,
      heapBaselineBytes,
      heapAfterBytes,
      heapBytesPerPausedRun: paused > 0 ? (heapAfterBytes - heapBaselineBytes) / paused : null,
      rssDeltaBytes,
      ended: Object.fromEntries(rows.map((row) => [`${row.status} ${row.code ?? ''}`.trim(), row.count])),
      phaseMs: { submitAndStart: t1 - t0, pause: t2 - t1 },
    };
  } finally {
    await bench.close();
  }
}
