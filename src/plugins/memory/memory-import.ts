import { jsonParam, type Store } from '../../core/store/sql-client.ts';
import { defaultTrust, type MemoryActor, type NewMemory, newMemoryId } from './memory-record.ts';

const IMPORT_BATCH = 500;

/** One column of a batch as text, '' standing for NULL (array parameters carry no NULLs on both drivers). */
const isoOrEmpty = (date: Date | null | undefined): string => date?.toISOString() ?? '';

/** Bulk import of memories from an outside record (transcripts, other stores): verbatim, no merging; ids in input order. */
export async function importMemories(
  store: Store,
  workspaceId: string,
  inputs: readonly NewMemory[],
  actor: MemoryActor,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < inputs.length; start += IMPORT_BATCH) {
    const batch = inputs.slice(start, start + IMPORT_BATCH);
    const batchIds = batch.map(() => newMemoryId());
    await store.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO memories (id, workspace_id, kind, content, subjects, context, scope, scope_id, provenance,
           trust, confidence, importance, valid_from, valid_to, occurred_at)
         SELECT u.id, $1, u.kind, u.content, ARRAY(SELECT jsonb_array_elements_text(u.subjects::jsonb)),
           u.context, u.scope, u.scope_id, u.provenance::jsonb, u.trust, u.confidence, u.importance,
           COALESCE(NULLIF(u.valid_from, '')::timestamptz, now()), NULLIF(u.valid_to, '')::timestamptz,
           NULLIF(u.occurred_at, '')::timestamptz
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::text[], $10::text[], $11::real[], $12::real[], $13::text[], $14::text[], $15::text[])
           AS u(id, kind, content, subjects, context, scope, scope_id, provenance, trust, confidence, importance,
             valid_from, valid_to, occurred_at)`,
        [
          workspaceId,
          batchIds,
          batch.map((m) => m.kind),
          batch.map((m) => m.content),
          batch.map((m) => jsonParam(m.subjects ?? [])),
          batch.map((m) => m.context ?? ''),
          batch.map((m) => m.scope),
          batch.map((m) => m.scopeId),
          batch.map((m) => jsonParam(m.provenance)),
          batch.map((m) => m.trust ?? defaultTrust(m.provenance.source)),
          batch.map((m) => m.confidence ?? 1),
          batch.map((m) => m.importance ?? 0.5),
          batch.map((m) => isoOrEmpty(m.validFrom)),
          batch.map((m) => isoOrEmpty(m.validTo)),
          batch.map((m) => isoOrEmpty(m.occurredAt)),
        ],
      );
      await tx.query(
        `INSERT INTO memory_changes (memory_id, workspace_id, action, user_id, agent_id, run_id)
         SELECT id, $1, 'create', $3, $4, $5 FROM unnest($2::text[]) AS id`,
        [workspaceId, batchIds, actor.userId, actor.agentId, actor.runId],
      );
    });
    ids.push(...batchIds);
  }
  // The embedded store has no autovacuum: flush the indexes' pending lists (searches scan them), and
  // refresh statistics, without which the planner would read a large scope through its btree.
  await store.query(
    "SELECT gin_clean_pending_list('memories_tsv'::regclass), gin_clean_pending_list('memories_content_trgm'::regclass)",
  );
  await store.query('ANALYZE memories, memory_term_stats, memory_scope_stats');
  return ids;
}
