/**
 * The ranking statement of memory search. Parameters:
 * $1 workspace, $2/$3 readable scopes and scope ids, $4 query text, $5 kind or null,
 * $6 include superseded, $7 include expired, $8 limit, $9 candidate pool, $10 candidate tsquery,
 * $11 k1, $12 b, $13 average document length, $14 subject boost, $15 trigram minimum, $16 RRF k,
 * $17–$20 weights (lexical, trigram, recency, importance), then three per query term from $21:
 * the term's tsquery, the same restricted to subjects (weight B), and its idf.
 */
export const FIRST_TERM_PARAM = 21;

/** ts_rank weights {D, C, B, A}: content (A) 1, subjects (B) 0.4, context (C) 0.5. */
const FIELD_WEIGHTS = `'{0.1,0.5,0.4,1}'::float4[]`;
/** ts_rank of one term divided by the limit of its position-decay series (π²/6): a saturating frequency, 1 per first hit. */
const TS_RANK_SCALE = 1.64493406685;

const FILTERS = `m.workspace_id = $1 AND m.deleted_at IS NULL
    AND (m.scope, m.scope_id) IN (SELECT scope, scope_id FROM readable)
    AND ($5::text IS NULL OR m.kind = $5)
    AND ($6::boolean OR m.superseded_by IS NULL)
    AND ($7::boolean OR ((m.valid_to IS NULL OR m.valid_to > now()) AND m.valid_from <= now()
      AND m.expired_at IS NULL))`;

const termParam = (term: number, offset: 0 | 1 | 2) => `$${FIRST_TERM_PARAM + term * 3 + offset}`;

/** BM25 over the weighted tsvector: idf · tf(k1+1) / (tf + k1(1 − b + b·len/avg)), tf from ts_rank. */
function lexicalCte(termCount: number): string {
  const terms = Array.from({ length: termCount }, (_, i) => i);
  const frequencies = terms.map(
    (i) =>
      `ts_rank(${FIELD_WEIGHTS}, m.tsv, ${termParam(i, 0)}::tsquery)::float8 * ${TS_RANK_SCALE} AS tf${i},`,
  );
  const bm25 = terms.map(
    (i) => `${termParam(i, 2)}::float8 * f.tf${i} * ($11::float8 + 1) / (f.tf${i} + f.kn)`,
  );
  const subjects = terms.map((i) => `(m.tsv @@ ${termParam(i, 1)}::tsquery)::int`);
  // OFFSET 0 keeps the subquery from being flattened, so each ts_rank runs once per row.
  return `SELECT f.id, ${bm25.join('\n      + ') || '0'} + $14::float8 * f.subjects AS score
    FROM (
      SELECT m.id, ${frequencies.join('\n        ')}
        $11::float8 * (1 - $12::float8 + $12::float8 * length(m.tsv) / $13::float8) AS kn,
        ${subjects.join(' + ') || '0'} AS subjects
      FROM memories m
      WHERE m.tsv @@ $10::tsquery AND ${FILTERS}
      OFFSET 0
    ) f
    ORDER BY score DESC, f.id LIMIT $9`;
}

/**
 * BM25 (lexical), trigram word similarity, recency and importance each rank the candidates; weighted
 * reciprocal rank fusion orders them. With `trigramRetrieval` trigram similarity also retrieves on its
 * own (typos, partial identifiers); that path is a separate statement because planning the trigram
 * index scan for a long query costs more than a whole lexical search on the embedded store.
 */
export function searchSql(termCount: number, trigramRetrieval: boolean): string {
  return `
WITH readable AS (
  SELECT * FROM unnest($2::text[], $3::text[]) AS r(scope, scope_id)
),
lexical AS (
  ${lexicalCte(termCount)}
),
fallback AS (
  ${
    trigramRetrieval
      ? `SELECT m.id FROM memories m WHERE $4 <% m.content AND ${FILTERS}
  ORDER BY word_similarity($4, m.content) DESC, m.id LIMIT $8`
      : 'SELECT NULL::text AS id WHERE false'
  }
),
candidates AS (
  SELECT m.*, l.score AS lexical_score, word_similarity($4, m.content) AS similarity
  FROM (SELECT id FROM lexical UNION SELECT id FROM fallback) c
    JOIN memories m ON m.id = c.id LEFT JOIN lexical l ON l.id = c.id
),
ranked AS (
  SELECT c.*,
    CASE WHEN c.lexical_score IS NOT NULL THEN rank() OVER (ORDER BY c.lexical_score DESC NULLS LAST) END
      AS lexical_rank,
    CASE WHEN c.similarity >= $15::real THEN rank() OVER (ORDER BY c.similarity DESC) END AS trigram_rank,
    rank() OVER (ORDER BY COALESCE(c.occurred_at, c.created_at) DESC) AS recency_rank,
    rank() OVER (ORDER BY c.importance DESC) AS importance_rank
  FROM candidates c
)
SELECT m.id, m.workspace_id, m.kind, m.content, m.subjects, m.context, m.scope, m.scope_id, m.provenance,
  m.trust, m.confidence, m.importance, m.valid_from, m.valid_to, m.superseded_by, m.occurred_at, m.created_at,
  m.updated_at, m.deleted_at, m.lexical_rank::int AS lexical_rank, m.trigram_rank::int AS trigram_rank,
  m.recency_rank::int AS recency_rank, m.importance_rank::int AS importance_rank,
  COALESCE($17::float8 / ($16::float8 + m.lexical_rank), 0)
    + COALESCE($18::float8 / ($16::float8 + m.trigram_rank), 0)
    + $19::float8 / ($16::float8 + m.recency_rank)
    + $20::float8 / ($16::float8 + m.importance_rank) AS fused
FROM ranked m
ORDER BY fused DESC, m.lexical_rank NULLS LAST, m.id
LIMIT $8`;
}

/** Each query term's document frequency in the readable scopes, with the scopes' size and total length. */
export const TERM_STATS_SQL = `
WITH readable AS (
  SELECT * FROM unnest($2::text[], $3::text[]) AS r(scope, scope_id)
),
totals AS (
  SELECT COALESCE(sum(s.docs), 0)::float8 AS docs, COALESCE(sum(s.total_length), 0)::float8 AS total_length
  FROM readable r JOIN memory_scope_stats s
    ON s.workspace_id = $1 AND s.scope = r.scope AND s.scope_id = r.scope_id
)
SELECT t.lexeme, min(totals.docs) AS docs, min(totals.total_length) AS total_length,
  COALESCE(sum(ts.docs), 0)::float8 AS df
FROM (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $4))) AS lexeme) t
  CROSS JOIN totals CROSS JOIN readable r
  LEFT JOIN memory_term_stats ts
    ON ts.workspace_id = $1 AND ts.scope = r.scope AND ts.scope_id = r.scope_id AND ts.lexeme = t.lexeme
GROUP BY t.lexeme
ORDER BY t.lexeme`;
