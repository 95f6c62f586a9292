import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { AuditActor } from '../../core/audit-log/audit-entry.ts';
import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError, isAgentOsError } from '../../core/errors/agent-os-error.ts';
import { jsonParam, type Store } from '../../core/store/sql-client.ts';
import { chunkDocument } from './chunker.ts';
import type { Connector, FetchedDocument } from './connector.ts';
import { storableItem } from './document-ref.ts';
import {
  clearFetchFailure,
  deleteDocuments,
  type KnownDocument,
  knownDocuments,
  markFetchFailure,
  storeDocument,
  storeParseFailure,
} from './document-store.ts';
import { resolveMediaType } from './media-type.ts';
import { type ParseOutcome, parseDocument } from './parse-document.ts';
import type { KnowledgeSource, SourceError, SyncCounts } from './source-record.ts';
import { nextSyncAt } from './source-schedule.ts';

/** A sync that has not written its heartbeat for this long is taken to be dead and may be taken over. */
export const SYNC_STALE_MS = 2 * 60_000;
const HEARTBEAT_MS = 10_000;

export interface SyncResult {
  sourceId: string;
  status: 'ok' | 'failed';
  counts: SyncCounts;
  /** Documents parsed and chunked in this sync (unchanged ones are not). */
  parsed: number;
  error: SourceError | null;
  startedAt: Date;
  finishedAt: Date;
}

export interface SyncOptions {
  connector: Connector;
  /** Who asked (recorded in the audit entry). */
  actor: AuditActor;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Replaces the parser (tests count calls through it). */
  parse?: (mediaType: string, content: Uint8Array) => Promise<ParseOutcome>;
  /** The caller took the sync slot with `claimSync` already (to answer before the sync runs). */
  claimed?: boolean;
}

const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');

function titleOf(item: FetchedDocument, parsedTitle: string | undefined): string {
  const title = item.title ?? parsedTitle;
  if (title !== undefined && title.trim() !== '') return title.trim().slice(0, 500);
  const name = basename(item.ref.replace(/[?#].*$/, '').replace(/\/+$/, '')) || item.ref;
  return name.slice(0, name.length - extname(name).length) || name;
}

/**
 * Takes the source's sync slot (status compare-and-set, on both stores): free unless another sync is
 * running and still beating. Throws `resource.conflict` when it is taken.
 */
export async function claimSync(store: Store, source: KnowledgeSource): Promise<void> {
  const { rows } = await store.query(
    `UPDATE knowledge_sources SET status = 'syncing', sync_heartbeat_at = now()
     WHERE id = $1 AND deleted_at IS NULL
       AND (status <> 'syncing' OR sync_heartbeat_at < now() - $2::int * interval '1 millisecond')
     RETURNING id`,
    [source.id, SYNC_STALE_MS],
  );
  if (rows.length === 0)
    throw new AgentOsError('resource.conflict', `Source "${source.name}" is being synced already`);
}

/**
 * One sync of a source: every item the connector lists is hashed; an unchanged document (same ref, same
 * SHA-256) is left alone, a new or changed one is parsed, chunked and stored in one transaction; a document
 * that fails to fetch or parse is recorded with its error and the sync goes on. When the listing completes,
 * documents it no longer names are deleted with their chunks. A listing that throws fails the sync and
 * deletes nothing. The outcome lands on the source (status, counts, error) and in the audit log.
 */
export async function syncSource(
  store: Store,
  source: KnowledgeSource,
  options: SyncOptions,
): Promise<SyncResult> {
  if (options.claimed !== true) await claimSync(store, source);
  const startedAt = new Date();
  const parse = options.parse ?? parseDocument;
  const log = options.log ?? (() => {});
  const counts: SyncCounts = { added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
  let parsed = 0;
  let error: SourceError | null = null;
  let lastBeat = Date.now();
  const controller = new AbortController();
  const signal =
    options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  try {
    const known = await knownDocuments(store, source.id);
    const seen = new Set<string>();
    for await (const listed of options.connector.list({ signal, log })) {
      signal.throwIfAborted();
      // The ref as stored, so it matches the known one on the next sync.
      const item = storableItem(listed);
      if (seen.has(item.ref)) continue;
      seen.add(item.ref);
      const previous: KnownDocument | undefined = known.get(item.ref);
      if (item.kind === 'failure') {
        await markFetchFailure(store, source.id, previous, item);
        counts.failed++;
      } else {
        const { outcome, wasParsed } = await syncDocument(store, source.id, item, previous, parse);
        counts[outcome]++;
        if (wasParsed) parsed++;
      }
      if (Date.now() - lastBeat >= HEARTBEAT_MS) {
        lastBeat = Date.now();
        await store.query('UPDATE knowledge_sources SET sync_heartbeat_at = now() WHERE id = $1', [
          source.id,
        ]);
      }
    }
    const gone = [...known].filter(([ref]) => !seen.has(ref)).map(([, document]) => document.id);
    counts.deleted = await deleteDocuments(store, gone);
  } catch (thrown) {
    error = isAgentOsError(thrown)
      ? { code: thrown.code, message: thrown.message }
      : { code: 'sync.failed', message: (thrown as Error).message };
    log(`sync of ${source.name} failed: ${error.message}`);
  } finally {
    controller.abort();
  }
  const status = error === null ? 'ok' : 'failed';
  const { rows: scheduled } = await store.query<{ cron: string | null; timezone: string | null }>(
    `UPDATE knowledge_sources SET status = $2, last_sync_at = now(), last_error = $3::jsonb, last_counts = $4::jsonb,
       sync_heartbeat_at = NULL WHERE id = $1 RETURNING schedule_cron AS cron, schedule_timezone AS timezone`,
    [source.id, status, jsonParam(error), jsonParam(counts)],
  );
  await advanceCronSchedule(store, source.id, scheduled[0], log);
  // A source deleted while this sync ran: what the sync wrote after the delete goes too.
  await store.query(
    `DELETE FROM knowledge_documents d USING knowledge_sources s
     WHERE d.source_id = s.id AND s.id = $1 AND s.deleted_at IS NOT NULL`,
    [source.id],
  );
  await appendAudit(store, {
    workspaceId: source.workspaceId,
    actor: options.actor,
    action: 'knowledge.sync',
    resource: { type: 'source', id: source.id },
    data: { status, counts, parsed, ...(error === null ? {} : { error: error.code }) },
  }).catch((auditError: unknown) =>
    log(`audit: could not record the sync of ${source.name}: ${(auditError as Error).message}`),
  );
  return { sourceId: source.id, status, counts, parsed, error, startedAt, finishedAt: new Date() };
}

/**
 * After any sync (ok or failed, scheduled or asked for) a cron source is next due at its first firing after
 * now: firings missed while no worker ran collapse into the one sync that just happened. Guarded by the
 * schedule read back, so a schedule changed during the sync keeps the firing computed for it.
 */
async function advanceCronSchedule(
  store: Store,
  sourceId: string,
  schedule: { cron: string | null; timezone: string | null } | undefined,
  log: (message: string) => void,
): Promise<void> {
  if (schedule?.cron == null || schedule.timezone === null) return;
  let next: Date | null = null;
  try {
    next = nextSyncAt({ cron: schedule.cron, timezone: schedule.timezone }, new Date());
  } catch (error) {
    log(`source ${sourceId}: its cron schedule fires no more: ${(error as Error).message}`);
  }
  await store.query(
    `UPDATE knowledge_sources SET next_sync_at = $2
     WHERE id = $1 AND schedule_cron = $3 AND schedule_timezone = $4`,
    [sourceId, next, schedule.cron, schedule.timezone],
  );
}

/** The parsed text and title with what the connector said must never be stored taken out. */
function redactParsed(outcome: ParseOutcome, redact: ((text: string) => string) | undefined): ParseOutcome {
  if (redact === undefined) return outcome;
  if (!outcome.ok) return { ...outcome, message: redact(outcome.message) };
  const { title, blocks } = outcome.document;
  const document = {
    ...outcome.document,
    blocks: blocks.map((block) => ({ ...block, text: redact(block.text) })),
  };
  if (title !== undefined) document.title = redact(title);
  return { ...outcome, document };
}

async function syncDocument(
  store: Store,
  sourceId: string,
  item: FetchedDocument,
  previous: KnownDocument | undefined,
  parse: (mediaType: string, content: Uint8Array) => Promise<ParseOutcome>,
): Promise<{ outcome: 'added' | 'updated' | 'unchanged' | 'failed'; wasParsed: boolean }> {
  const contentHash = sha256(item.content);
  if (previous?.contentHash === contentHash) {
    if (previous.status === 'ok') return { outcome: 'unchanged', wasParsed: false };
    // Unchanged and unparseable last time: still broken, not parsed again.
    if (previous.errorCode?.startsWith('parse.')) return { outcome: 'failed', wasParsed: false };
    await clearFetchFailure(store, previous.id);
    return { outcome: 'unchanged', wasParsed: false };
  }
  const mediaType = resolveMediaType(item.mediaType);
  const outcome = redactParsed(await parse(mediaType, item.content), item.redact);
  const fields = {
    ref: item.ref,
    title: titleOf(item, outcome.ok ? outcome.document.title : undefined),
    location: item.location,
    mediaType,
    contentHash,
    bytes: item.content.byteLength,
  };
  if (!outcome.ok) {
    await storeParseFailure(store, sourceId, fields, { code: outcome.code, message: outcome.message });
    return { outcome: 'failed', wasParsed: true };
  }
  await storeDocument(store, sourceId, fields, chunkDocument(outcome.document), item.content);
  return { outcome: previous === undefined ? 'added' : 'updated', wasParsed: true };
}
