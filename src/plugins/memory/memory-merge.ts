import type { SqlClient } from '../../core/store/sql-client.ts';
import { recordChange, snapshotOf } from './memory-changes.ts';
import {
  defaultTrust,
  MEMORY_COLUMNS,
  MEMORY_RETURNING,
  type MemoryActor,
  type MemoryRecord,
  type MemoryRow,
  type NewMemory,
  toMemoryRecord,
} from './memory-record.ts';

/** Trigram similarity at or above which a new memory restates an existing one and is merged into it. */
export const NEAR_DUPLICATE_SIMILARITY = 0.8;
/** How much a restated memory gains in importance. */
const MERGE_IMPORTANCE_BUMP = 0.05;

/**
 * The live memory `input` restates (same scope and kind, and for episodes the same moment), if any. A
 * handoff records one delegation, with its own run in the provenance: it never restates another.
 */
export async function findNearDuplicate(
  tx: SqlClient,
  workspaceId: string,
  input: NewMemory,
): Promise<MemoryRecord | undefined> {
  if (input.kind === 'handoff') return undefined;
  const { rows } = await tx.query<MemoryRow>(
    `SELECT ${MEMORY_COLUMNS} FROM memories m
     WHERE m.workspace_id = $1 AND m.scope = $2 AND m.scope_id = $3 AND m.kind = $4
       AND m.deleted_at IS NULL AND m.superseded_by IS NULL AND m.expired_at IS NULL
       AND (m.kind <> 'episode' OR m.occurred_at IS NOT DISTINCT FROM $7)
       AND m.content % $5 AND similarity(m.content, $5) >= $6
     ORDER BY similarity(m.content, $5) DESC, m.created_at, m.id LIMIT 1 FOR UPDATE`,
    [
      workspaceId,
      input.scope,
      input.scopeId,
      input.kind,
      input.content,
      NEAR_DUPLICATE_SIMILARITY,
      input.occurredAt ?? null,
    ],
  );
  return rows[0] === undefined ? undefined : toMemoryRecord(rows[0]);
}

/** Folds a restatement into the memory it restates: importance bumped, subjects united, trust upgraded. */
export async function mergeInto(
  tx: SqlClient,
  existing: MemoryRecord,
  input: NewMemory,
  actor: MemoryActor,
): Promise<MemoryRecord> {
  const trust = input.trust ?? defaultTrust(input.provenance.source);
  const { rows } = await tx.query<MemoryRow>(
    `UPDATE memories SET
       importance = LEAST(1, GREATEST(importance, $3) + $4),
       confidence = GREATEST(confidence, $5),
       subjects = ARRAY(SELECT s FROM unnest(subjects || $6::text[]) WITH ORDINALITY u(s, i) GROUP BY s ORDER BY min(i)),
       trust = CASE WHEN $7 = 'trusted' THEN 'trusted' ELSE trust END,
       updated_at = now()
     WHERE workspace_id = $1 AND id = $2 ${MEMORY_RETURNING}`,
    [
      existing.workspaceId,
      existing.id,
      input.importance ?? 0.5,
      MERGE_IMPORTANCE_BUMP,
      input.confidence ?? 1,
      [...(input.subjects ?? [])],
      trust,
    ],
  );
  const merged = toMemoryRecord(rows[0]!);
  await recordChange(tx, {
    workspaceId: merged.workspaceId,
    memoryId: merged.id,
    action: 'merge',
    actor,
    old: snapshotOf(existing),
    new: { ...snapshotOf(merged), mergedContent: input.content },
  });
  return merged;
}
