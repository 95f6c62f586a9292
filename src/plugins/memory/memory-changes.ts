import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import type { MemoryActor, MemoryRecord } from './memory-record.ts';

export type MemoryChangeAction = 'create' | 'merge' | 'update' | 'supersede' | 'delete' | 'expire';

/** The parts of a memory a change can touch, as stored in `memory_changes.old` / `.new`. */
export type MemorySnapshot = Pick<
  MemoryRecord,
  | 'kind'
  | 'content'
  | 'subjects'
  | 'scope'
  | 'scopeId'
  | 'trust'
  | 'confidence'
  | 'importance'
  | 'validTo'
  | 'supersededBy'
  | 'occurredAt'
  | 'deletedAt'
>;

export interface MemoryChange {
  id: number;
  memoryId: string;
  action: MemoryChangeAction;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  old: MemorySnapshot | null;
  new: (MemorySnapshot & { mergedContent?: string; mergedInto?: string; expiredAt?: Date }) | null;
  createdAt: Date;
}

export const snapshotOf = (memory: MemoryRecord): MemorySnapshot => ({
  kind: memory.kind,
  content: memory.content,
  subjects: memory.subjects,
  scope: memory.scope,
  scopeId: memory.scopeId,
  trust: memory.trust,
  confidence: memory.confidence,
  importance: memory.importance,
  validTo: memory.validTo,
  supersededBy: memory.supersededBy,
  occurredAt: memory.occurredAt,
  deletedAt: memory.deletedAt,
});

export async function recordChange(
  tx: SqlClient,
  change: {
    workspaceId: string;
    memoryId: string;
    action: MemoryChangeAction;
    actor: MemoryActor;
    old: MemorySnapshot | null;
    new: MemoryChange['new'];
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO memory_changes (memory_id, workspace_id, action, user_id, agent_id, run_id, request_key, old, new)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
    [
      change.memoryId,
      change.workspaceId,
      change.action,
      change.actor.userId,
      change.actor.agentId,
      change.actor.runId,
      change.actor.requestKey ?? null,
      change.old === null ? null : jsonParam(change.old),
      change.new === null ? null : jsonParam(change.new),
    ],
  );
}

/** The change an earlier attempt of the same request already made, if any. */
export async function changeForRequest(
  db: SqlClient,
  workspaceId: string,
  requestKey: string | undefined,
): Promise<{ memoryId: string; action: MemoryChangeAction } | undefined> {
  if (requestKey === undefined) return undefined;
  const { rows } = await db.query<{ memory_id: string; action: MemoryChangeAction }>(
    `SELECT memory_id, action FROM memory_changes WHERE workspace_id = $1 AND request_key = $2 ORDER BY id LIMIT 1`,
    [workspaceId, requestKey],
  );
  const row = rows[0];
  return row === undefined ? undefined : { memoryId: row.memory_id, action: row.action };
}

interface ChangeRow {
  id: number;
  memory_id: string;
  action: MemoryChangeAction;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  old: MemorySnapshot | null;
  new: MemoryChange['new'];
  created_at: Date;
}

/** A memory's history, oldest first. */
export async function listMemoryChanges(
  db: SqlClient,
  workspaceId: string,
  memoryId: string,
): Promise<MemoryChange[]> {
  const { rows } = await db.query<ChangeRow>(
    `SELECT id, memory_id, action, user_id, agent_id, run_id, old, new, created_at
     FROM memory_changes WHERE workspace_id = $1 AND memory_id = $2 ORDER BY id`,
    [workspaceId, memoryId],
  );
  return rows.map((row) => ({
    id: row.id,
    memoryId: row.memory_id,
    action: row.action,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    old: row.old,
    new: row.new,
    createdAt: row.created_at,
  }));
}
