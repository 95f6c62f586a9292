import { performance } from 'node:perf_hooks';
import type { StoreKind } from '../../src/core/store/sql-client.ts';
import { importMemories } from '../../src/plugins/memory/memory-import.ts';
import type { NewMemory, ScopeRef } from '../../src/plugins/memory/memory-record.ts';
import { searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { openBenchStore, percentile, round } from './bench-store.ts';
import { inSplit, loadLocomo } from './locomo-data.ts';

export interface ScaleResult {
  mode: 'scale';
  store: StoreKind;
  memories: number;
  queries: number;
  ingestSeconds: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
}

/** A small deterministic PRNG (mulberry32), so every run measures the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Synthetic memories with a realistic vocabulary: words drawn from the word distribution of the
 * LoCoMo dev conversations, lengths from their turn lengths; queries are the dev questions.
 */
function syntheticCorpus(count: number, scope: ScopeRef): { memories: NewMemory[]; questions: string[] } {
  const dev = loadLocomo().filter((conversation) => inSplit(conversation, 'dev'));
  const turns = dev.flatMap((conversation) => conversation.turns);
  const words = turns.flatMap((turn) => turn.text.split(/\s+/).filter((word) => word !== ''));
  const lengths = turns.map((turn) => turn.text.split(/\s+/).length);
  const speakers = [...new Set(turns.map((turn) => turn.speaker))];
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const start = Date.UTC(2023, 0, 1);
  const memories = Array.from({ length: count }, (): NewMemory => {
    const speaker = pick(speakers);
    const text = Array.from({ length: pick(lengths) }, () => pick(words)).join(' ');
    return {
      kind: 'episode',
      content: `${speaker}: ${text}`,
      subjects: [speaker],
      ...scope,
      provenance: { source: 'document' },
      importance: round(next(), 2),
      occurredAt: new Date(start + Math.floor(next() * 365 * 86_400_000)),
    };
  });
  return {
    memories,
    questions: dev.flatMap((conversation) => conversation.questions.map((q) => q.question)),
  };
}

/** p50/p95/p99 latency of top-10 search over `memories` synthetic memories in one scope. */
export async function runScale(options: {
  memories: number;
  queries: number;
  store: StoreKind;
  progress: (message: string) => void;
}): Promise<ScaleResult> {
  const scope: ScopeRef = { scope: 'space', scopeId: 'scale' };
  const corpus = syntheticCorpus(options.memories, scope);
  const bench = await openBenchStore(options.store);
  try {
    const ingestStarted = performance.now();
    const chunk = 10_000;
    for (let start = 0; start < corpus.memories.length; start += chunk) {
      await importMemories(bench.store, bench.workspaceId, corpus.memories.slice(start, start + chunk), {
        userId: null,
        agentId: null,
        runId: null,
      });
      options.progress(`ingested ${Math.min(start + chunk, corpus.memories.length)} memories`);
    }
    const ingestSeconds = round((performance.now() - ingestStarted) / 1000, 1);
    const search = (query: string) =>
      searchMemories(bench.store, { workspaceId: bench.workspaceId, query, scopes: [scope], limit: 10 });
    for (const question of corpus.questions.slice(0, 20)) await search(question);
    const latencies: number[] = [];
    for (let i = 0; i < options.queries; i++) {
      const started = performance.now();
      await search(corpus.questions[i % corpus.questions.length]!);
      latencies.push(performance.now() - started);
    }
    options.progress(`${options.queries} searches done`);
    return {
      mode: 'scale',
      store: options.store,
      memories: options.memories,
      queries: options.queries,
      ingestSeconds,
      p50ms: round(percentile(latencies, 50), 2),
      p95ms: round(percentile(latencies, 95), 2),
      p99ms: round(percentile(latencies, 99), 2),
    };
  } finally {
    await bench.close();
  }
}
