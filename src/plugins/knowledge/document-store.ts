import { newId } from '../../core/store/ids.ts';
import type { SqlClient, SqlParam, Store } from '../../core/store/sql-client.ts';
import type { Chunk } from './chunker.ts';

/** What the sync engine knows of a document from the previous sync. */
export interface KnownDocument {
  id: string;
  contentHash: string | null;
  status: 'ok' | 'failed';
  errorCode: string | null;
}

/** Documents that are tables: their bytes are kept beside their text, for `query_files` (databases/file-tables.ts). */
export const TABLE_MEDIA_TYPES: readonly string[] = [
  'text/csv',
  'text/tab-separated-values',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.apache.parquet',
];

export interface DocumentFields {
  ref: string;
  title: string;
  location: string;
  mediaType: string;
  contentHash: string | null;
  bytes: number;
}

export async function knownDocuments(db: SqlClient, sourceId: string): Promise<Map<string, KnownDocument>> {
  const { rows } = await db.query<{
    id: string;
    ref: string;
    content_hash: string | null;
    status: 'ok' | 'failed';
    error_code: string | null;
  }>('SELECT id, ref, content_hash, status, error_code FROM knowledge_documents WHERE source_id = $1', [
    sourceId,
  ]);
  return new Map(
    rows.map((row) => [
      row.ref,
      { id: row.id, contentHash: row.content_hash, status: row.status, errorCode: row.error_code },
    ]),
  );
}

const CHUNK_BATCH = 500;

async function upsertDocument(
  db: SqlClient,
  sourceId: string,
  fields: DocumentFields,
  failure: { code: string; message: string } | null,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO knowledge_documents (id, source_id, ref, title, location, media_type, content_hash, bytes, status,
       error_code, error_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (source_id, ref) DO UPDATE SET title = EXCLUDED.title, location = EXCLUDED.location,
       media_type = EXCLUDED.media_type, content_hash = EXCLUDED.content_hash, bytes = EXCLUDED.bytes,
       status = EXCLUDED.status, error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
       updated_at = now()
     RETURNING id`,
    [
      newId('doc'),
      sourceId,
      fields.ref,
      fields.title,
      fields.location,
      fields.mediaType,
      fields.contentHash,
      fields.bytes,
      failure === null ? 'ok' : 'failed',
      failure?.code ?? null,
      failure?.message ?? null,
    ],
  );
  return rows[0]!.id;
}

/** Writes a document and replaces its chunks inside the caller's transaction; returns the document's id. */
export async function writeDocument(
  tx: SqlClient,
  sourceId: string,
  fields: DocumentFields,
  chunks: readonly Chunk[],
  content?: Uint8Array,
): Promise<string> {
  const id = await upsertDocument(tx, sourceId, fields, null);
  await tx.query('DELETE FROM knowledge_chunks WHERE document_id = $1', [id]);
  // A table's bytes too (TABLE_MEDIA_TYPES), for query_files; anything else keeps only its text.
  await tx.query('DELETE FROM knowledge_document_content WHERE document_id = $1', [id]);
  if (content !== undefined && TABLE_MEDIA_TYPES.includes(fields.mediaType))
    await tx.query('INSERT INTO knowledge_document_content (document_id, content) VALUES ($1, $2)', [
      id,
      content,
    ]);
  for (let start = 0; start < chunks.length; start += CHUNK_BATCH) {
    const batch = chunks.slice(start, start + CHUNK_BATCH);
    const params: SqlParam[] = [id, sourceId];
    const values = batch.map((chunk) => {
      params.push(chunk.ordinal, chunk.section, chunk.text);
      const at = params.length;
      return `($1, $2, $${at - 2}, $${at - 1}, $${at})`;
    });
    await tx.query(
      `INSERT INTO knowledge_chunks (document_id, source_id, ordinal, section, text) VALUES ${values.join(', ')}`,
      params,
    );
  }
  return id;
}

/** Replaces a document's content and chunks in one transaction: search sees the old or the new, never half. */
export async function storeDocument(
  store: Store,
  sourceId: string,
  fields: DocumentFields,
  chunks: readonly Chunk[],
  content?: Uint8Array,
): Promise<void> {
  await store.transaction((tx) => writeDocument(tx, sourceId, fields, chunks, content));
}

/** Records, inside the caller's transaction, a document that could not be parsed; returns its id. */
export async function writeParseFailure(
  tx: SqlClient,
  sourceId: string,
  fields: DocumentFields,
  failure: { code: string; message: string },
): Promise<string> {
  const id = await upsertDocument(tx, sourceId, fields, failure);
  await tx.query('DELETE FROM knowledge_chunks WHERE document_id = $1', [id]);
  await tx.query('DELETE FROM knowledge_document_content WHERE document_id = $1', [id]);
  return id;
}

/**
 * Records a document that could not be parsed: its chunks go (the content they came from is gone) and its
 * hash is kept, so an unchanged broken file is not parsed again on every sync.
 */
export async function storeParseFailure(
  store: Store,
  sourceId: string,
  fields: DocumentFields,
  failure: { code: string; message: string },
): Promise<void> {
  await store.transaction((tx) => writeParseFailure(tx, sourceId, fields, failure));
}

/**
 * Records that a document could not be fetched this time. What was indexed before stays searchable (a
 * flaky page should not vanish); the document shows the error until a sync fetches it again.
 */
export async function markFetchFailure(
  db: SqlClient,
  sourceId: string,
  known: KnownDocument | undefined,
  item: { ref: string; location: string; code: string; message: string },
): Promise<void> {
  if (known === undefined) {
    await upsertDocument(
      db,
      sourceId,
      {
        ref: item.ref,
        title: item.ref,
        location: item.location,
        mediaType: 'unknown',
        contentHash: null,
        bytes: 0,
      },
      item,
    );
    return;
  }
  await db.query(
    `UPDATE knowledge_documents SET status = 'failed', error_code = $2, error_message = $3 WHERE id = $1`,
    [known.id, item.code, item.message],
  );
}

/** Deletes the documents (and, by cascade, chunks) whose refs a complete listing no longer has. */
export async function deleteDocuments(db: SqlClient, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await db.query('DELETE FROM knowledge_documents WHERE id = ANY($1::text[])', [ids]);
  return rowCount;
}

/** A document that failed to fetch last time came back unchanged: its indexed content is current again. */
export async function clearFetchFailure(db: SqlClient, documentId: string): Promise<void> {
  await db.query(
    `UPDATE knowledge_documents SET status = 'ok', error_code = NULL, error_message = NULL WHERE id = $1`,
    [documentId],
  );
}
