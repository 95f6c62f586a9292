import type { Embedder } from '../../core/models/embedder.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';

/** How many of the searched sources' newest embedded chunks the exact cosine ranks. */
export const CHUNK_VECTOR_WINDOW = 5_000;

/**
 * Embeds up to `batch` chunks of live sources without a vector of the embedder's model (the memory
 * embedder, `memory.embeddingModel`); a re-chunked document's new chunks are picked up here. Returns how many.
 */
export async function embedPendingChunks(db: SqlClient, embedder: Embedder, batch = 64): Promise<number> {
  const { rows } = await db.query<{ id: number; section: string; text: string }>(
    `SELECT c.id, c.section, c.text FROM knowledge_chunks c
       JOIN knowledge_sources s ON s.id = c.source_id AND s.deleted_at IS NULL
     WHERE c.embedding IS NULL OR c.embedding_model IS DISTINCT FROM $1
     ORDER BY c.id LIMIT $2`,
    [embedder.model, batch],
  );
  if (rows.length === 0) return 0;
  const vectors = await embedder.embed(
    rows.map((row) => (row.section === '' ? row.text : `${row.section}\n${row.text}`)),
  );
  for (const [index, row] of rows.entries()) {
    await db.query('UPDATE knowledge_chunks SET embedding = $2::real[], embedding_model = $3 WHERE id = $1', [
      row.id,
      vectors[index] ?? null,
      embedder.model,
    ]);
  }
  return rows.length;
}

/** The chunks of the given sources most similar to `vector` (exact cosine over the newest window), best first. */
export async function chunkVectorNeighbours(
  db: SqlClient,
  query: { sourceIds: readonly string[]; vector: readonly number[]; model: string; limit: number },
): Promise<number[]> {
  const norm = Math.sqrt(query.vector.reduce((sum, x) => sum + x * x, 0));
  if (norm === 0 || query.sourceIds.length === 0) return [];
  const { rows } = await db.query<{ id: number; cosine: number | null }>(
    `WITH window_ AS (
       SELECT c.id, c.embedding FROM knowledge_chunks c
       WHERE c.source_id = ANY($1::text[]) AND c.embedding_model = $3 AND c.embedding IS NOT NULL
       ORDER BY c.id DESC LIMIT $4)
     SELECT w.id, (SELECT sum(a * b) FROM unnest(w.embedding, $2::real[]) AS t(a, b))
         / NULLIF(sqrt((SELECT sum(a * a) FROM unnest(w.embedding) AS t(a))) * $5, 0) AS cosine
     FROM window_ w ORDER BY cosine DESC NULLS LAST, w.id LIMIT $6`,
    [[...query.sourceIds], [...query.vector], query.model, CHUNK_VECTOR_WINDOW, norm, query.limit],
  );
  return rows.filter((row) => row.cosine !== null).map((row) => Number(row.id));
}
