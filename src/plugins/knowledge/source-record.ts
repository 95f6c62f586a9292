import { z } from 'zod';
import type { SourceCronSchedule } from './source-schedule.ts';

export const sourceNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter');

export type SourceStatus = 'idle' | 'syncing' | 'ok' | 'failed';

/** What one sync did; `failed` counts documents that could not be fetched or parsed. */
export interface SyncCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

export interface SourceError {
  code: string;
  message: string;
}

/** A data source: documents of one place outside, readable by its space's readers (or the workspace). */
export interface KnowledgeSource {
  id: string;
  workspaceId: string;
  /** The owning space; null: every member of the workspace reads it. */
  spaceId: string | null;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  /** Re-synced every so many minutes by the workers; null: only on request. */
  scheduleMinutes: number | null;
  /** Re-synced at each firing of this cron schedule instead (at most one of the two is set). */
  schedule: SourceCronSchedule | null;
  /** With a cron schedule: its next firing, when the workers sync the source next. */
  nextSyncAt: Date | null;
  status: SourceStatus;
  lastSyncAt: Date | null;
  lastError: SourceError | null;
  lastCounts: SyncCounts | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SourceRow {
  id: string;
  workspace_id: string;
  space_id: string | null;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  schedule_minutes: number | null;
  schedule_cron: string | null;
  schedule_timezone: string | null;
  next_sync_at: Date | null;
  status: SourceStatus;
  last_sync_at: Date | null;
  last_error: SourceError | null;
  last_counts: SyncCounts | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export const SOURCE_COLUMNS = `s.id, s.workspace_id, s.space_id, s.name, s.kind, s.config, s.schedule_minutes,
  s.schedule_cron, s.schedule_timezone, s.next_sync_at, s.status, s.last_sync_at, s.last_error, s.last_counts,
  s.created_by, s.created_at, s.updated_at`;

export const toKnowledgeSource = (row: SourceRow): KnowledgeSource => ({
  id: row.id,
  workspaceId: row.workspace_id,
  spaceId: row.space_id,
  name: row.name,
  kind: row.kind,
  config: row.config,
  scheduleMinutes: row.schedule_minutes,
  schedule:
    row.schedule_cron === null ? null : { cron: row.schedule_cron, timezone: row.schedule_timezone ?? 'UTC' },
  nextSyncAt: row.next_sync_at,
  status: row.status,
  lastSyncAt: row.last_sync_at,
  lastError: row.last_error,
  lastCounts: row.last_counts,
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A document as a sync recorded it. */
export interface KnowledgeDocument {
  id: string;
  sourceId: string;
  ref: string;
  title: string;
  location: string;
  mediaType: string;
  contentHash: string | null;
  bytes: number;
  untrusted: boolean;
  status: 'ok' | 'failed';
  error: SourceError | null;
  chunks: number;
  updatedAt: Date;
}
