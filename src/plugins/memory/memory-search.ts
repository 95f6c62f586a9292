import type { Embedder } from '../../core/models/embedder.ts';
import type { SqlClient, SqlParam } from '../../core/store/sql-client.ts';
import { vectorNeighbours } from './memory-embeddings.ts';
import {
  MEMORY_COLUMNS,
  type MemoryKind,
  type MemoryRecord,
  type MemoryRow,
  type ScopeRef,
  scopeArrays,
  toMemoryRecord,
} from './memory-record.ts';
import { searchSql, TERM_STATS_SQL } from './memory-search-sql.ts';

/** The knobs of hybrid retrieval; the defaults were tuned on LoCoMo conversations 0–4 only. */
export interface SearchTuning {
  /** BM25 term-frequency saturation and length normalisation. */
  k1: number;
  b: number;
  /** Added per query term that names one of the memory's subjects (e.g. the speaker of an episode). */
  subjectBoost: number;
  /**
   * Candidates come from the rarest query terms whose document frequencies add up to at most this
   * (all terms in a scope this small), so a query of common words does not score the whole store.
   */
  candidateBudget: number;
  /** Reciprocal rank fusion: score = Σ weight / (rrfK + rank). */
  rrfK: number;
  weights: { lexical: number; trigram: number; recency: number; importance: number; vector: number };
  /** Below this word similarity the trigram ranker abstains. */
  trigramMin: number;
}

export const DEFAULT_SEARCH_TUNING: SearchTuning = {
  k1: 1.2,
  b: 0.75,
  subjectBoost: 1,
  candidateBudget: 1_000,
  rrfK: 60,
  weights: { lexical: 1, trigram: 0.3, recency: 0.05, importance: 0.05, vector: 1 },
  trigramMin: 0.5,
};

/** Longer queries keep their rarest terms. */
const MAX_QUERY_TERMS = 32;

export interface MemorySearchQuery {
  workspaceId: string;
  query: string;
  /** The only scopes searched: the ones the acting user or agent may read. */
  scopes: readonly ScopeRef[];
  limit: number;
  kind?: MemoryKind | undefined;
  includeSuperseded?: boolean | undefined;
  includeExpired?: boolean | undefined;
  tuning?: Partial<SearchTuning> | undefined;
  /** When set (an embedding model is configured), vector similarity is fused in as another ranker. */
  embedder?: Embedder | undefined;
}

export interface MemoryHit {
  memory: MemoryRecord;
  /** The fused score (higher is better). */
  score: number;
  /** Each ranker's rank of this memory among the candidates (null where it abstained). */
  ranks: {
    lexical: number | null;
    trigram: number | null;
    recency: number | null;
    importance: number | null;
    vector?: number | null;
  };
}

interface HitRow extends MemoryRow {
  fused: number;
  lexical_rank: number | null;
  trigram_rank: number | null;
  recency_rank: number;
  importance_rank: number;
}

interface TermRow {
  lexeme: string;
  docs: number;
  total_length: number;
  df: number;
}

/** A lexeme as a tsquery operand: quoted, with quotes doubled and backslashes escaped (the inverse of tsquery output). */
const tsqueryOperand = (lexeme: string): string =>
  `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

interface LexicalPlan {
  terms: Array<{ lexeme: string; idf: number }>;
  /** The disjunction of the terms that generate candidates, or null when no term occurs in these scopes. */
  generator: string | null;
  averageLength: number;
}

/**
 * BM25 idf per term from the scopes' statistics, and the query that generates candidates: every term
 * in a small scope; in a large one the rarest terms within the budget, and when even the rarest term is
 * too common, the memories that hold it together with at least one other term.
 */
function planLexical(rows: readonly TermRow[], budget: number): LexicalPlan {
  const present = rows
    .filter((row) => row.df > 0)
    .sort((a, b) => a.df - b.df || (a.lexeme < b.lexeme ? -1 : 1))
    .slice(0, MAX_QUERY_TERMS);
  const docs = rows[0]?.docs ?? 0;
  const operands = present.map((row) => tsqueryOperand(row.lexeme));
  let generator: string | null = null;
  if (present.length > 0) {
    let within = 0;
    for (let cumulative = present[0]?.df ?? 0; within < present.length && cumulative <= budget; within++) {
      cumulative += present[within + 1]?.df ?? 0;
    }
    if (docs <= budget) generator = operands.join(' | ');
    else if (within > 0) generator = operands.slice(0, within).join(' | ');
    else if (operands.length === 1) generator = operands[0] ?? null;
    else generator = `${operands[0]} & (${operands.slice(1).join(' | ')})`;
  }
  return {
    terms: present.map((row) => ({
      lexeme: row.lexeme,
      idf: Math.log(1 + (docs - row.df + 0.5) / (row.df + 0.5)),
    })),
    generator,
    averageLength: Math.max(1, (rows[0]?.total_length ?? 0) / Math.max(1, docs)),
  };
}

/**
 * Hybrid retrieval inside the database, restricted to the given scopes (the caller passes the ones
 * the acting user or agent may read); superseded, expired and deleted memories are excluded by default.
 */
export async function searchMemories(db: SqlClient, query: MemorySearchQuery): Promise<MemoryHit[]> {
  const tuning = { ...DEFAULT_SEARCH_TUNING, ...query.tuning };
  const weights = { ...DEFAULT_SEARCH_TUNING.weights, ...query.tuning?.weights };
  const { scopes, scopeIds } = scopeArrays(query.scopes);
  if (scopes.length === 0 || query.query.trim() === '') return [];
  const { rows: termRows } = await db.query<TermRow>(TERM_STATS_SQL, [
    query.workspaceId,
    scopes,
    scopeIds,
    query.query,
  ]);
  const plan = planLexical(termRows, tuning.candidateBudget);
  const params: SqlParam[] = [
    query.workspaceId,
    scopes,
    scopeIds,
    query.query,
    query.kind ?? null,
    query.includeSuperseded ?? false,
    query.includeExpired ?? false,
    query.limit,
    Math.max(20, query.limit * 2),
    plan.generator,
    tuning.k1,
    tuning.b,
    plan.averageLength,
    tuning.subjectBoost,
    tuning.trigramMin,
    tuning.rrfK,
    weights.lexical,
    weights.trigram,
    weights.recency,
    weights.importance,
  ];
  for (const term of plan.terms) {
    const operand = tsqueryOperand(term.lexeme);
    params.push(operand, `${operand}:B`, term.idf);
  }
  let { rows } = await db.query<HitRow>(searchSql(plan.terms.length, false), params);
  // Too few memories share a word with the query: let trigram similarity find near-spellings too.
  if (rows.length < query.limit)
    ({ rows } = await db.query<HitRow>(searchSql(plan.terms.length, true), params));
  const hits: MemoryHit[] = rows.map((row) => ({
    memory: toMemoryRecord(row),
    score: row.fused,
    ranks: {
      lexical: row.lexical_rank,
      trigram: row.trigram_rank,
      recency: row.recency_rank,
      importance: row.importance_rank,
    },
  }));
  const { embedder } = query;
  return embedder === undefined
    ? hits
    : fuseVectorRanks(db, { ...query, embedder }, hits, tuning, weights.vector);
}

/**
 * Adds vector similarity as one more reciprocal-rank ranker over the SQL hits and the nearest neighbours
 * of the query's embedding (which may bring memories that share no word with the query).
 */
async function fuseVectorRanks(
  db: SqlClient,
  query: MemorySearchQuery & { embedder: Embedder },
  hits: MemoryHit[],
  tuning: SearchTuning,
  weight: number,
): Promise<MemoryHit[]> {
  const [vector] = await query.embedder.embed([query.query]);
  if (vector === undefined) return hits;
  const neighbours = await vectorNeighbours(db, {
    workspaceId: query.workspaceId,
    scopes: query.scopes,
    vector,
    model: query.embedder.model,
    limit: Math.max(20, query.limit * 2),
    includeSuperseded: query.includeSuperseded,
    includeExpired: query.includeExpired,
  });
  const byId = new Map(hits.map((hit) => [hit.memory.id, hit]));
  const missing = neighbours.map((n) => n.id).filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const { rows } = await db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = ANY($1::text[])${query.kind === undefined ? '' : ' AND m.kind = $2'}`,
      query.kind === undefined ? [missing] : [missing, query.kind],
    );
    for (const row of rows) {
      const memory = toMemoryRecord(row);
      byId.set(memory.id, {
        memory,
        score: 0,
        ranks: { lexical: null, trigram: null, recency: null, importance: null },
      });
    }
  }
  for (const [index, neighbour] of neighbours.entries()) {
    const hit = byId.get(neighbour.id);
    if (hit === undefined) continue;
    hit.score += weight / (tuning.rrfK + index + 1);
    hit.ranks.vector = index + 1;
  }
  return [...byId.values()].sort((a, b) => b.score - a.score).slice(0, query.limit);
}
