import { AgentOsError } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { jsonParam, type SqlClient } from '../store/sql-client.ts';
import {
  type KnowledgeDocument,
  type KnowledgeSource,
  SOURCE_COLUMNS,
  type SourceRow,
  toKnowledgeSource,
} from './source-record.ts';

export interface NewSource {
  workspaceId: string;
  spaceId: string | null;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  scheduleMinutes: number | null;
  createdBy: string | null;
}

const nameTaken = (name: string) =>
  new AgentOsError('resource.conflict', `A source named "${name}" already exists in this workspace`);

export async function createSource(db: SqlClient, input: NewSource): Promise<KnowledgeSource> {
  try {
    const { rows } = await db.query<SourceRow>(
      `INSERT INTO knowledge_sources AS s (id, workspace_id, space_id, name, kind, config, schedule_minutes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING ${SOURCE_COLUMNS}`,
      [
        newId('src'),
        input.workspaceId,
        input.spaceId,
        input.name,
        input.kind,
        jsonParam(input.config),
        input.scheduleMinutes,
        input.createdBy,
      ],
    );
    return toKnowledgeSource(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export interface SourceChanges {
  name?: string | undefined;
  spaceId?: string | null | undefined;
  config?: Record<string, unknown> | undefined;
  scheduleMinutes?: number | null | undefined;
}

export async function updateSource(
  db: SqlClient,
  source: KnowledgeSource,
  changes: SourceChanges,
): Promise<KnowledgeSource> {
  try {
    const { rows } = await db.query<SourceRow>(
      `UPDATE knowledge_sources s SET name = $2, space_id = $3, config = $4::jsonb, schedule_minutes = $5,
         updated_at = now()
       WHERE s.id = $1 AND s.deleted_at IS NULL RETURNING ${SOURCE_COLUMNS}`,
      [
        source.id,
        changes.name ?? source.name,
        changes.spaceId === undefined ? source.spaceId : changes.spaceId,
        jsonParam(changes.config ?? source.config),
        changes.scheduleMinutes === undefined ? source.scheduleMinutes : changes.scheduleMinutes,
      ],
    );
    if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No source "${source.name}"`);
    return toKnowledgeSource(rows[0]);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(changes.name ?? source.name);
    throw error;
  }
}

/** Soft-deletes the source and removes its documents and chunks, so nothing of it is found any more. */
export async function deleteSource(db: SqlClient, source: KnowledgeSource): Promise<void> {
  // Marked deleted first: a sync still running sees it and removes whatever it writes afterwards.
  await db.query('UPDATE knowledge_sources SET deleted_at = now(), updated_at = now() WHERE id = $1', [
    source.id,
  ]);
  await db.query('DELETE FROM knowledge_documents WHERE source_id = $1', [source.id]);
}

interface DocumentRow {
  id: string;
  source_id: string;
  ref: string;
  title: string;
  location: string;
  media_type: string;
  content_hash: string | null;
  bytes: number;
  untrusted: boolean;
  status: 'ok' | 'failed';
  error_code: string | null;
  error_message: string | null;
  chunks: number;
  updated_at: Date;
}

/** The source's documents in ref order, with their chunk counts and errors; `status` filters. */
export async function listDocuments(
  db: SqlClient,
  sourceId: string,
  options: { status?: 'ok' | 'failed' | undefined; limit: number; after?: string | undefined },
): Promise<KnowledgeDocument[]> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT d.*, (SELECT count(*)::int FROM knowledge_chunks c WHERE c.document_id = d.id) AS chunks
     FROM knowledge_documents d
     WHERE d.source_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR d.ref > $3)
     ORDER BY d.ref LIMIT $4`,
    [sourceId, options.status ?? null, options.after ?? null, options.limit],
  );
  return rows.map((row) => ({
    id: row.id,
    sourceId: row.source_id,
    ref: row.ref,
    title: row.title,
    location: row.location,
    mediaType: row.media_type,
    contentHash: row.content_hash,
    bytes: row.bytes,
    untrusted: row.untrusted,
    status: row.status,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    chunks: row.chunks,
    updatedAt: row.updated_at,
  }));
}
