import type { Embedder } from '../../core/models/embedder.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { type ScopeRef, scopeArrays } from './memory-record.ts';

/**
 * Vector similarity for memories, when an embedding model is configured (`memory.embeddingModel`).
 * Vectors are written in the background (`embedPendingMemories`) so a memory write never waits for a
 * provider; retrieval ranks by exact cosine over a bounded candidate set (the scope's newest memories).
 */

/** What is embedded of a memory: its content and what it is about. */
const embeddedText = (row: { content: string; subjects: string[] }) =>
  row.subjects.length === 0 ? row.content : `${row.content}\n(${row.subjects.join(', ')})`;

/** Embeds up to `batch` live memories without a vector of the embedder's model. Returns how many. */
export async function embedPendingMemories(db: SqlClient, embedder: Embedder, batch = 64): Promise<number> {
  const { rows } = await db.query<{ id: string; content: string; subjects: string[] }>(
    `SELECT id, content, subjects FROM memories
     WHERE deleted_at IS NULL AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $1)
     ORDER BY created_at, id LIMIT $2`,
    [embedder.model, batch],
  );
  if (rows.length === 0) return 0;
  const vectors = await embedder.embed(rows.map(embeddedText));
  for (const [index, row] of rows.entries()) {
    await db.query('UPDATE memories SET embedding = $2::real[], embedding_model = $3 WHERE id = $1', [
      row.id,
      vectors[index] ?? null,
      embedder.model,
    ]);
  }
  return rows.length;
}

/** How many of a scope's newest embedded memories the exact cosine ranks. */
export const VECTOR_WINDOW = 5_000;

/**
 * The memories most similar to `vector` among the newest VECTOR_WINDOW live, embedded memories of the
 * given scopes, by exact cosine similarity, best first.
 */
export async function vectorNeighbours(
  db: SqlClient,
  query: {
    workspaceId: string;
    scopes: readonly ScopeRef[];
    vector: readonly number[];
    model: string;
    limit: number;
    includeSuperseded?: boolean | undefined;
    includeExpired?: boolean | undefined;
  },
): Promise<Array<{ id: string; cosine: number }>> {
  const { scopes, scopeIds } = scopeArrays(query.scopes);
  const norm = Math.sqrt(query.vector.reduce((sum, x) => sum + x * x, 0));
  if (norm === 0 || scopes.length === 0) return [];
  const { rows } = await db.query<{ id: string; cosine: number }>(
    `WITH window_ AS (
       SELECT m.id, m.embedding FROM memories m
       WHERE m.workspace_id = $1 AND m.deleted_at IS NULL AND m.embedding_model = $5 AND m.embedding IS NOT NULL
         AND (m.scope, m.scope_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
         AND ($8::boolean OR m.superseded_by IS NULL)
         AND ($10::boolean OR ((m.valid_to IS NULL OR m.valid_to > now()) AND m.valid_from <= now()
           AND m.expired_at IS NULL))
       ORDER BY m.created_at DESC LIMIT $6)
     SELECT w.id, (SELECT sum(a * b) FROM unnest(w.embedding, $4::real[]) AS t(a, b))
         / NULLIF(sqrt((SELECT sum(a * a) FROM unnest(w.embedding) AS t(a))) * $7, 0) AS cosine
     FROM window_ w ORDER BY cosine DESC NULLS LAST, w.id LIMIT $9`,
    [
      query.workspaceId,
      scopes,
      scopeIds,
      [...query.vector],
      query.model,
      VECTOR_WINDOW,
      norm,
      query.includeSuperseded ?? false,
      query.limit,
      query.includeExpired ?? false,
    ],
  );
  return rows.filter((row) => row.cosine !== null).map((row) => ({ id: row.id, cosine: Number(row.cosine) }));
}
