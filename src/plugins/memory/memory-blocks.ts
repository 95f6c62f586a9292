import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AuditActor } from '../../core/audit-log/audit-entry.ts';
import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError, describeIssues } from '../../core/errors/agent-os-error.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';

/**
 * Pinned memory blocks: small notes (≤ 2,000 characters) of an agent, a user or the workspace that the
 * kernel puts into every model call's context. One block per (scope, scope id, label); writes are upserts.
 * Every change is an audit entry (`memory_block.set` / `.delete`) with content hashes, never the text.
 */
export const blockScopeSchema = z.enum(['agent', 'user', 'workspace']);
export const blockLabelSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter, ≤ 63');
export const MAX_BLOCK_CHARS = 2_000;
export const blockContentSchema = z.string().min(1).max(MAX_BLOCK_CHARS);

export type BlockScope = z.infer<typeof blockScopeSchema>;

export interface PinnedBlock {
  id: string;
  scope: 'agent' | 'user' | 'workspace';
  label: string;
  content: string;
  updatedAt: Date;
  /** Written by a person. Blocks an agent or the consolidation job wrote may carry outside text. */
  trusted: boolean;
}

/** Only a person's words are trusted: user ids are `usr_…`; agents and the consolidation job are not. */
export const writtenByPerson = (updatedBy: string): boolean => updatedBy.startsWith('usr_');

export interface MemoryBlock extends PinnedBlock {
  workspaceId: string;
  scopeId: string;
  /** The user or agent id that wrote it last. */
  updatedBy: string;
}

export interface BlockTarget {
  workspaceId: string;
  scope: BlockScope;
  scopeId: string;
  label: string;
}

interface BlockRow {
  id: string;
  workspace_id: string;
  scope: BlockScope;
  scope_id: string;
  label: string;
  content: string;
  updated_by: string;
  updated_at: Date;
}

const BLOCK_COLUMNS = 'id, workspace_id, scope, scope_id, label, content, updated_by, updated_at';

const toBlock = (row: BlockRow): MemoryBlock => ({
  id: row.id,
  workspaceId: row.workspace_id,
  scope: row.scope,
  scopeId: row.scope_id,
  label: row.label,
  content: row.content,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at,
  trusted: writtenByPerson(row.updated_by),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function inTransaction<T>(db: SqlClient | Store, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(work) : work(db);
}

function checked(schema: z.ZodString, value: string, field: string): string {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AgentOsError(
      'request.invalid',
      `Invalid block ${field}: ${describeIssues(result.error.issues)}`,
    );
  }
  return result.data;
}

const newBlockId = () => `blk_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;

/** The blocks an agent's model calls carry: the agent's, its user's and the workspace's, by scope then label. */
export async function listPinnedBlocks(
  db: SqlClient,
  q: { workspaceId: string; agentId: string; userId: string | null },
): Promise<PinnedBlock[]> {
  const { rows } = await db.query<BlockRow>(
    `SELECT ${BLOCK_COLUMNS} FROM memory_blocks
     WHERE workspace_id = $1
       AND ((scope = 'agent' AND scope_id = $2) OR (scope = 'user' AND scope_id = $3::text)
         OR (scope = 'workspace' AND scope_id = $1))
     ORDER BY scope, label`,
    [q.workspaceId, q.agentId, q.userId],
  );
  return rows.map((row) => ({
    id: row.id,
    scope: row.scope,
    label: row.label,
    content: row.content,
    updatedAt: row.updated_at,
    trusted: writtenByPerson(row.updated_by),
  }));
}

/** Every block of the given scopes, by scope then label (the API's listing). */
export async function listMemoryBlocks(
  db: SqlClient,
  workspaceId: string,
  scopes: ReadonlyArray<{ scope: BlockScope; scopeId: string }>,
): Promise<MemoryBlock[]> {
  const { rows } = await db.query<BlockRow>(
    `SELECT ${BLOCK_COLUMNS} FROM memory_blocks
     WHERE workspace_id = $1 AND (scope, scope_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
     ORDER BY scope, scope_id, label`,
    [workspaceId, scopes.map((s) => s.scope), scopes.map((s) => s.scopeId)],
  );
  return rows.map(toBlock);
}

export async function getMemoryBlock(db: SqlClient, workspaceId: string, id: string): Promise<MemoryBlock> {
  const { rows } = await db.query<BlockRow>(
    `SELECT ${BLOCK_COLUMNS} FROM memory_blocks WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id],
  );
  const row = rows[0];
  if (row === undefined) throw new AgentOsError('resource.not_found', `No memory block "${id}"`);
  return toBlock(row);
}

/**
 * Creates or replaces the block at (scope, scope id, label). Writing the content it already has changes
 * nothing and records nothing (`changed: false`), so retried writes are harmless.
 */
export function setPinnedBlock(
  db: SqlClient | Store,
  input: BlockTarget & { content: string },
  actor: AuditActor,
): Promise<{ block: MemoryBlock; changed: boolean }> {
  const label = checked(blockLabelSchema, input.label, 'label');
  const content = checked(blockContentSchema, input.content, 'content');
  return inTransaction(db, async (tx) => {
    const { rows: current } = await tx.query<BlockRow>(
      `SELECT ${BLOCK_COLUMNS} FROM memory_blocks
       WHERE workspace_id = $1 AND scope = $2 AND scope_id = $3 AND label = $4 FOR UPDATE`,
      [input.workspaceId, input.scope, input.scopeId, label],
    );
    const old = current[0];
    if (old !== undefined && old.content === content) return { block: toBlock(old), changed: false };
    const { rows } = await tx.query<BlockRow>(
      `INSERT INTO memory_blocks (id, workspace_id, scope, scope_id, label, content, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (workspace_id, scope, scope_id, label)
       DO UPDATE SET content = EXCLUDED.content, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING ${BLOCK_COLUMNS}`,
      [newBlockId(), input.workspaceId, input.scope, input.scopeId, label, content, actor.id],
    );
    const block = toBlock(rows[0]!);
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor,
      action: 'memory_block.set',
      resource: { type: 'memory_block', id: block.id },
      data: {
        scope: block.scope,
        scopeId: block.scopeId,
        label: block.label,
        contentSha256: sha256(block.content),
        previousContentSha256: old === undefined ? null : sha256(old.content),
        length: block.content.length,
      },
    });
    return { block, changed: true };
  });
}

/** Removes a block; the audit entry keeps who removed which label and a hash of what it said. */
export function deletePinnedBlock(
  db: SqlClient | Store,
  workspaceId: string,
  id: string,
  actor: AuditActor,
): Promise<MemoryBlock> {
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<BlockRow>(
      `DELETE FROM memory_blocks WHERE workspace_id = $1 AND id = $2 RETURNING ${BLOCK_COLUMNS}`,
      [workspaceId, id],
    );
    const row = rows[0];
    if (row === undefined) throw new AgentOsError('resource.not_found', `No memory block "${id}"`);
    const block = toBlock(row);
    await appendAudit(tx, {
      workspaceId,
      actor,
      action: 'memory_block.delete',
      resource: { type: 'memory_block', id: block.id },
      data: {
        scope: block.scope,
        scopeId: block.scopeId,
        label: block.label,
        previousContentSha256: sha256(block.content),
      },
    });
    return block;
  });
}
