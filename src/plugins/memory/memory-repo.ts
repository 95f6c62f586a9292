import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { jsonParam, type SqlClient, type SqlParam, type Store } from '../../core/store/sql-client.ts';
import { changeForRequest, recordChange, snapshotOf } from './memory-changes.ts';
import { findNearDuplicate, mergeInto } from './memory-merge.ts';
import {
  defaultTrust,
  MEMORY_COLUMNS,
  MEMORY_RETURNING,
  type MemoryActor,
  type MemoryKind,
  type MemoryPatch,
  type MemoryRecord,
  type MemoryRow,
  type NewMemory,
  newMemoryId,
  type ScopeRef,
  scopeArrays,
  toMemoryRecord,
} from './memory-record.ts';

function inTransaction<T>(db: SqlClient | Store, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(work) : work(db);
}

const notFound = (id: string) => new AgentOsError('resource.not_found', `No memory "${id}"`);

export async function getMemory(db: SqlClient, workspaceId: string, id: string): Promise<MemoryRecord> {
  const { rows } = await db.query<MemoryRow>(
    `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.workspace_id = $1 AND m.id = $2`,
    [workspaceId, id],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(id);
  return toMemoryRecord(row);
}

async function lockLive(tx: SqlClient, workspaceId: string, id: string): Promise<MemoryRecord> {
  const { rows } = await tx.query<MemoryRow>(
    `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.workspace_id = $1 AND m.id = $2 AND m.deleted_at IS NULL
     FOR UPDATE`,
    [workspaceId, id],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(id);
  return toMemoryRecord(row);
}

function insertParams(workspaceId: string, input: NewMemory): SqlParam[] {
  return [
    newMemoryId(),
    workspaceId,
    input.kind,
    input.content,
    [...(input.subjects ?? [])],
    input.context ?? '',
    input.scope,
    input.scopeId,
    jsonParam(input.provenance),
    input.trust ?? defaultTrust(input.provenance.source),
    input.confidence ?? 1,
    input.importance ?? 0.5,
    input.validFrom ?? null,
    input.validTo ?? null,
    input.occurredAt ?? null,
  ];
}

async function insertMemory(tx: SqlClient, workspaceId: string, input: NewMemory): Promise<MemoryRecord> {
  const { rows } = await tx.query<MemoryRow>(
    `INSERT INTO memories (id, workspace_id, kind, content, subjects, context, scope, scope_id, provenance, trust,
       confidence, importance, valid_from, valid_to, occurred_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9::jsonb, $10, $11, $12, COALESCE($13, now()), $14, $15)
     ${MEMORY_RETURNING}`,
    insertParams(workspaceId, input),
  );
  return toMemoryRecord(rows[0]!);
}

/**
 * Refreshes planner statistics each time a scope doubles past 4,096 memories. The embedded store has
 * no autovacuum; without statistics search would read a large scope through its btree, not the text index.
 */
async function analyzeWhenDoubled(tx: SqlClient, workspaceId: string, memory: MemoryRecord): Promise<void> {
  const { rows } = await tx.query<{ docs: number }>(
    'SELECT docs FROM memory_scope_stats WHERE workspace_id = $1 AND scope = $2 AND scope_id = $3',
    [workspaceId, memory.scope, memory.scopeId],
  );
  const docs = rows[0]?.docs ?? 0;
  if (docs >= 4_096 && (docs & (docs - 1)) === 0) await tx.query('ANALYZE memories, memory_term_stats');
}

/**
 * Writes a memory, or — when a live memory of the same scope and kind already says nearly the same
 * (trigram similarity ≥ 0.8) — merges into it: importance bumped, subjects united. Every change is logged.
 */
export function createMemory(
  db: SqlClient | Store,
  workspaceId: string,
  input: NewMemory,
  actor: MemoryActor,
): Promise<{ memory: MemoryRecord; merged: boolean }> {
  return inTransaction(db, async (tx) => {
    const earlier = await changeForRequest(tx, workspaceId, actor.requestKey);
    if (earlier !== undefined) {
      return {
        memory: await getMemory(tx, workspaceId, earlier.memoryId),
        merged: earlier.action === 'merge',
      };
    }
    // One writer per scope at a time, so two concurrent restatements cannot both insert.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `memories:${workspaceId}:${input.scope}:${input.scopeId}`,
    ]);
    const duplicate = await findNearDuplicate(tx, workspaceId, input);
    if (duplicate !== undefined)
      return { memory: await mergeInto(tx, duplicate, input, actor), merged: true };
    const memory = await insertMemory(tx, workspaceId, input);
    await recordChange(tx, {
      workspaceId,
      memoryId: memory.id,
      action: 'create',
      actor,
      old: null,
      new: snapshotOf(memory),
    });
    await analyzeWhenDoubled(tx, workspaceId, memory);
    return { memory, merged: false };
  });
}

export interface ListMemoriesQuery {
  workspaceId: string;
  scopes: readonly ScopeRef[];
  kind?: MemoryKind | undefined;
  limit: number;
  /** Superseded, expired and deleted memories too. */
  includeInactive?: boolean | undefined;
}

/** The newest memories in the given scopes. */
export async function listMemories(db: SqlClient, query: ListMemoriesQuery): Promise<MemoryRecord[]> {
  const { scopes, scopeIds } = scopeArrays(query.scopes);
  const { rows } = await db.query<MemoryRow>(
    `SELECT ${MEMORY_COLUMNS} FROM memories m
     WHERE m.workspace_id = $1
       AND (m.scope, m.scope_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
       AND ($4::text IS NULL OR m.kind = $4)
       AND ($5 OR (m.deleted_at IS NULL AND m.superseded_by IS NULL AND m.expired_at IS NULL
         AND (m.valid_to IS NULL OR m.valid_to > now())))
     ORDER BY m.created_at DESC, m.id DESC LIMIT $6`,
    [query.workspaceId, scopes, scopeIds, query.kind ?? null, query.includeInactive ?? false, query.limit],
  );
  return rows.map(toMemoryRecord);
}

const PATCH_COLUMNS: ReadonlyArray<[keyof MemoryPatch, string, string]> = [
  ['kind', 'kind', ''],
  ['content', 'content', ''],
  ['subjects', 'subjects', '::text[]'],
  ['context', 'context', ''],
  ['trust', 'trust', ''],
  ['confidence', 'confidence', ''],
  ['importance', 'importance', ''],
  ['validTo', 'valid_to', '::timestamptz'],
  ['occurredAt', 'occurred_at', '::timestamptz'],
];

/** Edits a live memory in place; the old and new values go to the change log. */
export function updateMemory(
  db: SqlClient | Store,
  workspaceId: string,
  id: string,
  patch: MemoryPatch,
  actor: MemoryActor,
): Promise<MemoryRecord> {
  return inTransaction(db, async (tx) => {
    const earlier = await changeForRequest(tx, workspaceId, actor.requestKey);
    if (earlier !== undefined) return getMemory(tx, workspaceId, earlier.memoryId);
    const old = await lockLive(tx, workspaceId, id);
    const sets: string[] = [];
    const params: SqlParam[] = [workspaceId, id];
    for (const [key, column, cast] of PATCH_COLUMNS) {
      const value = patch[key];
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    }
    if (sets.length === 0) return old;
    const { rows } = await tx.query<MemoryRow>(
      `UPDATE memories SET ${sets.join(', ')}, updated_at = now() WHERE workspace_id = $1 AND id = $2 ${MEMORY_RETURNING}`,
      params,
    );
    const memory = toMemoryRecord(rows[0]!);
    await recordChange(tx, {
      workspaceId,
      memoryId: id,
      action: 'update',
      actor,
      old: snapshotOf(old),
      new: snapshotOf(memory),
    });
    return memory;
  });
}

/** Replaces a memory with a new one (a changed decision): the old one ends now and points at its successor. */
export function supersedeMemory(
  db: SqlClient | Store,
  workspaceId: string,
  oldId: string,
  replacement: NewMemory,
  actor: MemoryActor,
): Promise<{ memory: MemoryRecord; superseded: MemoryRecord }> {
  return inTransaction(db, async (tx) => {
    const earlier = await changeForRequest(tx, workspaceId, actor.requestKey);
    if (earlier !== undefined) {
      return {
        memory: await getMemory(tx, workspaceId, earlier.memoryId),
        superseded: await getMemory(tx, workspaceId, oldId),
      };
    }
    const old = await lockLive(tx, workspaceId, oldId);
    if (old.supersededBy !== null) {
      throw new AgentOsError(
        'resource.conflict',
        `Memory "${oldId}" was already superseded by "${old.supersededBy}"`,
        { supersededBy: old.supersededBy },
      );
    }
    const memory = await insertMemory(tx, workspaceId, replacement);
    await recordChange(tx, {
      workspaceId,
      memoryId: memory.id,
      action: 'create',
      actor,
      old: null,
      new: snapshotOf(memory),
    });
    const { rows } = await tx.query<MemoryRow>(
      `UPDATE memories SET superseded_by = $3, valid_to = LEAST(COALESCE(valid_to, $4), $4), updated_at = now()
       WHERE workspace_id = $1 AND id = $2 ${MEMORY_RETURNING}`,
      [workspaceId, oldId, memory.id, memory.validFrom],
    );
    const superseded = toMemoryRecord(rows[0]!);
    await recordChange(tx, {
      workspaceId,
      memoryId: oldId,
      action: 'supersede',
      actor: { ...actor, requestKey: undefined },
      old: snapshotOf(old),
      new: snapshotOf(superseded),
    });
    return { memory, superseded };
  });
}

/** Soft delete: the memory leaves search and lists, its history stays. */
export function deleteMemory(
  db: SqlClient | Store,
  workspaceId: string,
  id: string,
  actor: MemoryActor,
): Promise<MemoryRecord> {
  return inTransaction(db, async (tx) => {
    const earlier = await changeForRequest(tx, workspaceId, actor.requestKey);
    if (earlier !== undefined) return getMemory(tx, workspaceId, earlier.memoryId);
    const old = await lockLive(tx, workspaceId, id);
    const { rows } = await tx.query<MemoryRow>(
      `UPDATE memories SET deleted_at = now(), updated_at = now() WHERE workspace_id = $1 AND id = $2 ${MEMORY_RETURNING}`,
      [workspaceId, id],
    );
    const memory = toMemoryRecord(rows[0]!);
    await recordChange(tx, {
      workspaceId,
      memoryId: id,
      action: 'delete',
      actor,
      old: snapshotOf(old),
      new: snapshotOf(memory),
    });
    return memory;
  });
}
