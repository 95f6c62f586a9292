import { performance } from 'node:perf_hooks';
import type { StoreKind } from '../../src/core/store/sql-client.ts';
import { importMemories } from '../../src/plugins/memory/memory-import.ts';
import type { NewMemory, ScopeRef } from '../../src/plugins/memory/memory-record.ts';
import { type SearchTuning, searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { openBenchStore, percentile, round } from './bench-store.ts';
import { inSplit, type LocomoConversation, type LocomoTurn, loadLocomo, type Split } from './locomo-data.ts';

/** Turns on each side of a turn, within its session, indexed as the memory's context. */
const CONTEXT_TURNS = 2;
const KS = [5, 10, 25] as const;

interface Recall {
  questions: number;
  recallAt5: number;
  recallAt10: number;
  recallAt25: number;
}

export interface LocomoResult extends Recall {
  split: Split;
  store: StoreKind;
  byCategory: Record<string, Recall>;
  p95ms: number;
}

/** README step 1: speaker, the session's date-time and the text, plus a marker for a shared image. */
export function episodeContent(turn: LocomoTurn): string {
  const image = turn.caption === undefined ? '' : ` [shared an image: ${turn.caption}]`;
  return `${turn.speaker} (${turn.dateTime}): ${turn.text}${image}`;
}

function episodeOf(turns: readonly LocomoTurn[], index: number, scope: ScopeRef): NewMemory {
  const turn = turns[index]!;
  const neighbours = turns
    .slice(Math.max(0, index - CONTEXT_TURNS), index + CONTEXT_TURNS + 1)
    .filter((other) => other !== turn && other.session === turn.session);
  return {
    kind: 'episode',
    content: episodeContent(turn),
    subjects: [turn.speaker],
    context: neighbours.map((other) => other.text).join('\n'),
    ...scope,
    provenance: { source: 'document' },
    occurredAt: turn.occurredAt,
  };
}

function emptyTotals(): { n: number; sums: number[] } {
  return { n: 0, sums: KS.map(() => 0) };
}

const asRecall = (totals: { n: number; sums: number[] }): Recall => ({
  questions: totals.n,
  recallAt5: round(totals.sums[0]! / Math.max(1, totals.n)),
  recallAt10: round(totals.sums[1]! / Math.max(1, totals.n)),
  recallAt25: round(totals.sums[2]! / Math.max(1, totals.n)),
});

/** Ingests each conversation into its own scope through the memory repository and scores recall@k. */
export async function runLocomo(options: {
  split: Split;
  store: StoreKind;
  tuning?: Partial<SearchTuning>;
  progress: (message: string) => void;
}): Promise<LocomoResult> {
  const conversations = loadLocomo().filter((conversation) => inSplit(conversation, options.split));
  const bench = await openBenchStore(options.store);
  const overall = emptyTotals();
  const byCategory = new Map<number, { n: number; sums: number[] }>();
  const latencies: number[] = [];
  try {
    for (const conversation of conversations) {
      await scoreConversation(conversation);
    }
  } finally {
    await bench.close();
  }

  async function scoreConversation(conversation: LocomoConversation): Promise<void> {
    const scope: ScopeRef = { scope: 'space', scopeId: `locomo-${conversation.sampleId}` };
    const memories = conversation.turns.map((_, index) => episodeOf(conversation.turns, index, scope));
    const ids = await importMemories(bench.store, bench.workspaceId, memories, {
      userId: null,
      agentId: null,
      runId: null,
    });
    const diaIdOf = new Map(ids.map((id, index) => [id, conversation.turns[index]!.diaId]));
    for (const question of conversation.questions) {
      const started = performance.now();
      const hits = await searchMemories(bench.store, {
        workspaceId: bench.workspaceId,
        query: question.question,
        scopes: [scope],
        limit: KS[KS.length - 1]!,
        tuning: options.tuning,
      });
      latencies.push(performance.now() - started);
      const ranked = hits.map((hit) => diaIdOf.get(hit.memory.id));
      const category = byCategory.get(question.category) ?? emptyTotals();
      byCategory.set(question.category, category);
      KS.forEach((k, i) => {
        const top = new Set(ranked.slice(0, k));
        const recall = question.evidence.filter((id) => top.has(id)).length / question.evidence.length;
        overall.sums[i]! += recall;
        category.sums[i]! += recall;
      });
      overall.n++;
      category.n++;
    }
    options.progress(
      `${conversation.sampleId}: ${conversation.turns.length} turns, ${conversation.questions.length} questions, ` +
        `recall@10 so far ${round(overall.sums[1]! / Math.max(1, overall.n))}`,
    );
  }

  return {
    split: options.split,
    store: options.store,
    ...asRecall(overall),
    byCategory: Object.fromEntries(
      [...byCategory.entries()]
        .sort(([a], [b]) => a - b)
        .map(([category, totals]) => [category, asRecall(totals)]),
    ),
    p95ms: round(percentile(latencies, 95), 2),
  };
}
