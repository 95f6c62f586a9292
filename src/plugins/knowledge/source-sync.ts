import type { AuditActor } from '../../core/audit-log/audit-entry.ts';
import type { Store } from '../../core/store/sql-client.ts';
import type { Connector } from './connector.ts';
import { sourceKindOf } from './source-kinds.ts';
import { type KnowledgeSource, SOURCE_COLUMNS, type SourceRow, toKnowledgeSource } from './source-record.ts';
import { SYNC_STALE_MS, type SyncResult, syncSource } from './sync-engine.ts';

export interface SourceSyncDeps {
  store: Store;
  version: string;
  home: string;
  log?: (message: string) => void;
}

/** Syncs a source with the connector its kind makes from its config (see syncSource). */
export function runSourceSync(
  deps: SourceSyncDeps,
  source: KnowledgeSource,
  actor: AuditActor,
  options: { signal?: AbortSignal; claimed?: boolean } = {},
): Promise<SyncResult> {
  // Made when the listing starts, so a config its kind rejects fails the sync (recorded) instead of escaping it.
  const connector: Connector = {
    list: (context) =>
      sourceKindOf(source.kind)
        .connector(source.config, {
          store: deps.store,
          workspaceId: source.workspaceId,
          version: deps.version,
          home: deps.home,
        })
        .list(context),
  };
  return syncSource(deps.store, source, {
    connector,
    actor,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.claimed === undefined ? {} : { claimed: options.claimed }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}

/**
 * Sources whose schedule says a sync is due and that are not syncing: an interval source never synced or
 * synced `scheduleMinutes` ago; a cron source whose next firing has passed (however many firings were
 * missed, one sync; it then advances to the next firing after now).
 */
export async function dueSources(store: Store, limit: number): Promise<KnowledgeSource[]> {
  const { rows } = await store.query<SourceRow>(
    `SELECT ${SOURCE_COLUMNS} FROM knowledge_sources s
     WHERE s.deleted_at IS NULL
       AND (s.status <> 'syncing' OR s.sync_heartbeat_at < now() - $1::int * interval '1 millisecond')
       AND ((s.schedule_minutes IS NOT NULL
             AND (s.last_sync_at IS NULL OR s.last_sync_at + s.schedule_minutes * interval '1 minute' <= now()))
         OR (s.schedule_cron IS NOT NULL AND s.next_sync_at <= now()))
     ORDER BY coalesce(s.next_sync_at, s.last_sync_at) NULLS FIRST, s.id LIMIT $2`,
    [SYNC_STALE_MS, limit],
  );
  return rows.map(toKnowledgeSource);
}

/**
 * One pass of scheduled re-sync (a `PeriodicTask` in every worker process): syncs the due sources one after
 * another. Two processes may pick the same source; the sync's compare-and-set lets only one run it.
 */
export async function syncDueSources(deps: SourceSyncDeps, limit = 5): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const source of await dueSources(deps.store, limit)) {
    try {
      results.push(await runSourceSync(deps, source, { type: 'system', id: 'knowledge-scheduler' }));
    } catch (error) {
      deps.log?.(`scheduled sync of ${source.name} skipped: ${(error as Error).message}`);
    }
  }
  return results;
}
