import type { Embedder } from '../../core/models/embedder.ts';
import type { SqlClient, SqlParam } from '../../core/store/sql-client.ts';
import { chunkVectorNeighbours } from './knowledge-embeddings.ts';

export interface KnowledgeSearchQuery {
  query: string;
  /** The only sources searched: the ones the caller may read (and, in a run, the agent is granted). */
  sourceIds: readonly string[];
  limit: number;
  /** When set (an embedding model is configured), vector similarity is fused in as another ranker. */
  embedder?: Embedder | undefined;
}

export interface KnowledgeHit {
  chunkId: number;
  source: { id: string; name: string };
  document: {
    id: string;
    title: string;
    ref: string;
    location: string;
    mediaType: string;
    untrusted: boolean;
  };
  /** The heading trail of the chunk ('' before the document's first heading). */
  section: string;
  text: string;
  /** The part of the chunk around the query's words. */
  snippet: string;
  score: number;
  ranks: { lexical: number | null; trigram: number | null; vector?: number | null };
}

/** Reciprocal rank fusion, as memory search: score = Σ weight / (k + rank). */
const RRF_K = 60;
const WEIGHTS = { lexical: 1, trigram: 0.3, vector: 1 };
/** Below this word similarity the trigram ranker abstains. */
const TRIGRAM_MIN = 0.5;
const SNIPPET_CHARS = 320;

interface HitRow {
  chunk_id: number;
  source_id: string;
  source_name: string;
  document_id: string;
  title: string;
  ref: string;
  location: string;
  media_type: string;
  untrusted: boolean;
  section: string;
  text: string;
  lexical_rank: number | null;
  trigram_rank: number | null;
  fused: number;
}

const HIT_COLUMNS = `c.id AS chunk_id, s.id AS source_id, s.name AS source_name, d.id AS document_id, d.title, d.ref,
  d.location, d.media_type, d.untrusted, c.section, c.text`;
const HIT_JOINS = `JOIN knowledge_documents d ON d.id = c.document_id
  JOIN knowledge_sources s ON s.id = c.source_id AND s.deleted_at IS NULL`;

const tsqueryOperand = (lexeme: string): string =>
  `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * Lexical ranking (`ts_rank_cd` over the chunk's text, weight A, and its heading trail, weight B, with
 * length normalisation) over chunks holding any of the query's stemmed words, and trigram word similarity
 * (typos, partial identifiers; retrieving on its own when few chunks share a word with the query), fused by
 * weighted reciprocal rank fusion like memory search. Only the given sources are searched.
 */
function searchSql(trigramRetrieval: boolean): string {
  return `
WITH lexical AS (
  SELECT c.id, ts_rank_cd('{0.1,0.2,0.5,1}'::float4[], c.tsv, $2::tsquery, 1) AS score
  FROM knowledge_chunks c
  WHERE $2::tsquery IS NOT NULL AND c.source_id = ANY($1::text[]) AND c.tsv @@ $2::tsquery
  ORDER BY score DESC, c.id LIMIT $5
),
fallback AS (
  ${
    trigramRetrieval
      ? `SELECT c.id FROM knowledge_chunks c WHERE c.source_id = ANY($1::text[]) AND $3 <% c.text
  ORDER BY word_similarity($3, c.text) DESC, c.id LIMIT $5`
      : 'SELECT NULL::bigint AS id WHERE false'
  }
),
candidates AS (
  SELECT c.id, l.score AS lexical_score, word_similarity($3, c.text) AS similarity
  FROM (SELECT id FROM lexical UNION SELECT id FROM fallback) k
    JOIN knowledge_chunks c ON c.id = k.id LEFT JOIN lexical l ON l.id = k.id
),
ranked AS (
  SELECT k.id,
    CASE WHEN k.lexical_score IS NOT NULL THEN rank() OVER (ORDER BY k.lexical_score DESC NULLS LAST) END AS lexical_rank,
    CASE WHEN k.similarity >= $6::real THEN rank() OVER (ORDER BY k.similarity DESC) END AS trigram_rank
  FROM candidates k
)
SELECT ${HIT_COLUMNS}, r.lexical_rank::int AS lexical_rank, r.trigram_rank::int AS trigram_rank,
  COALESCE($7::float8 / ($9::float8 + r.lexical_rank), 0) + COALESCE($8::float8 / ($9::float8 + r.trigram_rank), 0)
    AS fused
FROM ranked r JOIN knowledge_chunks c ON c.id = r.id
  ${HIT_JOINS}
WHERE r.lexical_rank IS NOT NULL OR r.trigram_rank IS NOT NULL
ORDER BY fused DESC, r.lexical_rank NULLS LAST, c.id
LIMIT $4`;
}

/** The window of the chunk around the first of the query's words it contains (its start otherwise). */
export function snippetOf(text: string, query: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= SNIPPET_CHARS) return flat;
  const lower = flat.toLowerCase();
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 3);
  const at = Math.min(...words.map((word) => lower.indexOf(word)).filter((index) => index >= 0), flat.length);
  const start = at === flat.length ? 0 : Math.max(0, at - SNIPPET_CHARS / 4);
  const end = Math.min(flat.length, start + SNIPPET_CHARS);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}

/** Hybrid retrieval over the chunks of the given sources, best first. */
export async function searchKnowledge(db: SqlClient, query: KnowledgeSearchQuery): Promise<KnowledgeHit[]> {
  const text = query.query.trim();
  if (query.sourceIds.length === 0 || text === '') return [];
  const { rows: lexemes } = await db.query<{ lexeme: string }>(
    "SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $1))) AS lexeme ORDER BY 1",
    [text],
  );
  const tsquery = lexemes.length === 0 ? null : lexemes.map((row) => tsqueryOperand(row.lexeme)).join(' | ');
  const params: SqlParam[] = [
    [...query.sourceIds],
    tsquery,
    text,
    query.limit,
    Math.max(20, query.limit * 3),
    TRIGRAM_MIN,
    WEIGHTS.lexical,
    WEIGHTS.trigram,
    RRF_K,
  ];
  let { rows } = await db.query<HitRow>(searchSql(false), params);
  // Too few chunks share a word with the query: let trigram similarity find near-spellings too.
  if (rows.length < query.limit) ({ rows } = await db.query<HitRow>(searchSql(true), params));
  const hits = rows.map((row) => toHit(row, text));
  return query.embedder === undefined
    ? hits
    : fuseVectorRanks(db, { ...query, embedder: query.embedder }, hits);
}

const toHit = (row: HitRow, query: string): KnowledgeHit => ({
  chunkId: Number(row.chunk_id),
  source: { id: row.source_id, name: row.source_name },
  document: {
    id: row.document_id,
    title: row.title,
    ref: row.ref,
    location: row.location,
    mediaType: row.media_type,
    untrusted: row.untrusted,
  },
  section: row.section,
  text: row.text,
  snippet: snippetOf(row.text, query),
  score: row.fused,
  ranks: { lexical: row.lexical_rank, trigram: row.trigram_rank },
});

/** Adds vector similarity as one more reciprocal-rank ranker (it may bring chunks sharing no word with the query). */
async function fuseVectorRanks(
  db: SqlClient,
  query: KnowledgeSearchQuery & { embedder: Embedder },
  hits: KnowledgeHit[],
): Promise<KnowledgeHit[]> {
  const [vector] = await query.embedder.embed([query.query]);
  if (vector === undefined) return hits;
  const neighbours = await chunkVectorNeighbours(db, {
    sourceIds: query.sourceIds,
    vector,
    model: query.embedder.model,
    limit: Math.max(20, query.limit * 3),
  });
  const byId = new Map(hits.map((hit) => [hit.chunkId, hit]));
  const missing = neighbours.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const { rows } = await db.query<HitRow>(
      `SELECT ${HIT_COLUMNS}, NULL::int AS lexical_rank, NULL::int AS trigram_rank, 0::float8 AS fused
       FROM knowledge_chunks c ${HIT_JOINS} WHERE c.id = ANY($1::bigint[])`,
      [missing],
    );
    for (const row of rows) byId.set(Number(row.chunk_id), toHit(row, query.query));
  }
  for (const [index, id] of neighbours.entries()) {
    const hit = byId.get(id);
    if (hit === undefined) continue;
    hit.score += WEIGHTS.vector / (RRF_K + index + 1);
    hit.ranks.vector = index + 1;
  }
  return [...byId.values()].sort((a, b) => b.score - a.score).slice(0, query.limit);
}
