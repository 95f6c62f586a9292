import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { newId } from '../../core/store/ids.ts';
import { isUniqueViolation } from '../../core/store/pg-errors.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import {
  type KnowledgeDocument,
  type KnowledgeSource,
  SOURCE_COLUMNS,
  type SourceRow,
  toKnowledgeSource,
} from './source-record.ts';
import { nextSyncAt, type SourceCronSchedule } from './source-schedule.ts';

export interface NewSource {
  workspaceId: string;
  spaceId: string | null;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  scheduleMinutes: number | null;
  /** A cron schedule instead of `scheduleMinutes` (the database refuses both). */
  schedule?: SourceCronSchedule | null | undefined;
  createdBy: string | null;
}

const nameTaken = (name: string) =>
  new AgentOsError('resource.conflict', `A source named "${name}" already exists in this workspace`);

/** The schedule columns for a cron schedule (or none): its next firing is computed now. */
const cronColumns = (schedule: SourceCronSchedule | null, now: Date) =>
  schedule === null ? [null, null, null] : [schedule.cron, schedule.timezone, nextSyncAt(schedule, now)];

export async function createSource(db: SqlClient, input: NewSource): Promise<KnowledgeSource> {
  try {
    const { rows } = await db.query<SourceRow>(
      `INSERT INTO knowledge_sources AS s (id, workspace_id, space_id, name, kind, config, schedule_minutes, created_by,
         schedule_cron, schedule_timezone, next_sync_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11) RETURNING ${SOURCE_COLUMNS}`,
      [
        newId('src'),
        input.workspaceId,
        input.spaceId,
        input.name,
        input.kind,
        jsonParam(input.config),
        input.scheduleMinutes,
        input.createdBy,
        ...cronColumns(input.schedule ?? null, new Date()),
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
  /** Setting one kind of schedule replaces the other; null clears that kind. */
  scheduleMinutes?: number | null | undefined;
  schedule?: SourceCronSchedule | null | undefined;
}

/** The schedule after a change: a new interval drops the cron schedule and the other way round. */
function scheduleAfter(
  source: KnowledgeSource,
  changes: SourceChanges,
): { minutes: number | null; cron: SourceCronSchedule | null } {
  if (changes.schedule !== undefined && changes.schedule !== null)
    return { minutes: null, cron: changes.schedule };
  if (changes.scheduleMinutes !== undefined && changes.scheduleMinutes !== null)
    return { minutes: changes.scheduleMinutes, cron: null };
  return {
    minutes: changes.scheduleMinutes === null ? null : source.scheduleMinutes,
    cron: changes.schedule === null ? null : source.schedule,
  };
}

export async function updateSource(
  db: SqlClient,
  source: KnowledgeSource,
  changes: SourceChanges,
): Promise<KnowledgeSource> {
  const schedule = scheduleAfter(source, changes);
  try {
    const { rows } = await db.query<SourceRow>(
      `UPDATE knowledge_sources s SET name = $2, space_id = $3, config = $4::jsonb, schedule_minutes = $5,
         schedule_cron = $6::text, schedule_timezone = $7::text, updated_at = now(),
         -- An unchanged cron schedule keeps its pending firing; a new one is due at its own first firing.
         next_sync_at = CASE WHEN s.schedule_cron IS NOT DISTINCT FROM $6::text
           AND s.schedule_timezone IS NOT DISTINCT FROM $7::text THEN s.next_sync_at ELSE $8::timestamptz END
       WHERE s.id = $1 AND s.deleted_at IS NULL RETURNING ${SOURCE_COLUMNS}`,
      [
        source.id,
        changes.name ?? source.name,
        changes.spaceId === undefined ? source.spaceId : changes.spaceId,
        jsonParam(changes.config ?? source.config),
        schedule.minutes,
        ...cronColumns(schedule.cron, new Date()),
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
