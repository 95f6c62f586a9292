import type { AuditActor } from '../../core/audit-log/audit-entry.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';
import { deletePinnedBlock, MAX_BLOCK_CHARS, setPinnedBlock } from './memory-blocks.ts';
import { recordChange, snapshotOf } from './memory-changes.ts';
import { mergeInto, NEAR_DUPLICATE_SIMILARITY } from './memory-merge.ts';
import {
  MEMORY_COLUMNS,
  MEMORY_RETURNING,
  type MemoryActor,
  type MemoryRecord,
  type MemoryRow,
  toMemoryRecord,
} from './memory-record.ts';

export interface ConsolidationResult {
  merged: number;
  expired: number;
  blocksRewritten: number;
}

/** The pinned block consolidation owns in every agent and user scope that has decisions. */
export const RECENT_DECISIONS_LABEL = 'recent-decisions';
const RECENT_DECISIONS = 10;
/** One decision's share of the block, so a long one cannot crowd out the rest. */
const MAX_DECISION_CHARS = 400;
/** Near-duplicates are looked for among memories written or changed within this window (bounds the self-join). */
const MERGE_WINDOW_MS = 24 * 60 * 60 * 1_000;
const BATCH = 200;

const MEMORY_ACTOR: MemoryActor = { userId: null, agentId: null, runId: null };
const AUDIT_ACTOR: AuditActor = { type: 'system', id: 'memory-consolidation' };
const CLUSTER_LOCK = 'agentos:memory-consolidation';

/** Live: not deleted, superseded, retired by an earlier pass, nor past its validity at `$1`. */
const active = (m: string) =>
  `${m}.deleted_at IS NULL AND ${m}.superseded_by IS NULL AND ${m}.expired_at IS NULL
   AND (${m}.valid_to IS NULL OR ${m}.valid_to > $1)`;

const inFlight = new WeakMap<Store, Promise<ConsolidationResult>>();

/**
 * The background tidy-up of long-term memory: (1) memories past their `valid_to` are marked expired
 * (`expire` change), (2) near-duplicates in one scope written since yesterday are merged into the older
 * one (`merge` on the survivor, `supersede` on the other — nothing is deleted), (3) each agent and user
 * scope's `recent-decisions` block is rewritten from its newest decisions. On PostgreSQL one process at a
 * time does it (a transaction-scoped advisory lock; the others return zeros); PGlite has one process.
 */
export function consolidateMemories(
  store: Store,
  options: { now?: Date } = {},
): Promise<ConsolidationResult> {
  const running = inFlight.get(store);
  if (running !== undefined) return running;
  const now = options.now ?? new Date();
  const work = store.kind === 'postgres' ? withClusterLock(store, now) : runPasses(store, now);
  const done = work.finally(() => inFlight.delete(store));
  inFlight.set(store, done);
  return done;
}

function withClusterLock(store: Store, now: Date): Promise<ConsolidationResult> {
  // The lock's transaction only holds the lock; the passes commit in small transactions of their own.
  return store.transaction(async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
      [CLUSTER_LOCK],
    );
    if (rows[0]?.locked !== true) return { merged: 0, expired: 0, blocksRewritten: 0 };
    return runPasses(store, now);
  });
}

async function runPasses(store: Store, now: Date): Promise<ConsolidationResult> {
  const expired = await expireMemories(store, now);
  const merged = await mergeNearDuplicates(store, now);
  const blocksRewritten = await rewriteRecentDecisions(store, now);
  return { merged, expired, blocksRewritten };
}

/** Marks memories whose validity ended as expired, so search and lists leave them out; each is logged. */
async function expireMemories(store: Store, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await store.transaction(async (tx) => {
      const { rows } = await tx.query<MemoryRow>(
        `SELECT ${MEMORY_COLUMNS} FROM memories m
         WHERE m.valid_to IS NOT NULL AND m.valid_to <= $1 AND m.expired_at IS NULL
           AND m.deleted_at IS NULL AND m.superseded_by IS NULL
         ORDER BY m.valid_to, m.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, BATCH],
      );
      for (const row of rows) {
        const old = toMemoryRecord(row);
        const { rows: updated } = await tx.query<MemoryRow>(
          `UPDATE memories SET expired_at = $2, updated_at = now() WHERE id = $1 ${MEMORY_RETURNING}`,
          [old.id, now],
        );
        await recordChange(tx, {
          workspaceId: old.workspaceId,
          memoryId: old.id,
          action: 'expire',
          actor: MEMORY_ACTOR,
          old: snapshotOf(old),
          new: { ...snapshotOf(toMemoryRecord(updated[0]!)), expiredAt: now },
        });
      }
      return rows.length;
    });
    total += count;
    if (count < BATCH) return total;
  }
}

interface PairRow {
  keep_id: string;
  drop_id: string;
}

/** Merges each recently written near-duplicate into the oldest live memory of its scope and kind it restates. */
async function mergeNearDuplicates(store: Store, now: Date): Promise<number> {
  const since = new Date(now.getTime() - MERGE_WINDOW_MS);
  const { rows: pairs } = await store.query<PairRow>(
    `SELECT DISTINCT ON (b.id) a.id AS keep_id, b.id AS drop_id
     FROM memories b
     JOIN memories a ON a.workspace_id = b.workspace_id AND a.scope = b.scope AND a.scope_id = b.scope_id
       AND a.kind = b.kind AND (a.created_at, a.id) < (b.created_at, b.id)
       AND (a.kind <> 'episode' OR a.occurred_at IS NOT DISTINCT FROM b.occurred_at)
       AND a.content % b.content AND similarity(a.content, b.content) >= $3
       AND ${active('a')}
     WHERE ${active('b')} AND b.updated_at > $2
     ORDER BY b.id, a.created_at, a.id
     LIMIT $4`,
    [now, since, NEAR_DUPLICATE_SIMILARITY, BATCH],
  );
  let merged = 0;
  for (const pair of pairs) {
    if (await mergePair(store, pair, now)) merged += 1;
  }
  return merged;
}

function lockLiveMemory(tx: SqlClient, id: string, now: Date): Promise<MemoryRecord | undefined> {
  return tx
    .query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = $2 AND ${active('m')} FOR UPDATE`,
      [now, id],
    )
    .then(({ rows }) => (rows[0] === undefined ? undefined : toMemoryRecord(rows[0])));
}

function mergePair(store: Store, pair: PairRow, now: Date): Promise<boolean> {
  return store.transaction(async (tx) => {
    const first = await lockLiveMemory(tx, pair.keep_id, now);
    if (first === undefined) return false;
    // The same per-scope lock as createMemory, so a concurrent write cannot merge into the one going away.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `memories:${first.workspaceId}:${first.scope}:${first.scopeId}`,
    ]);
    const keep = await lockLiveMemory(tx, pair.keep_id, now);
    const drop = await lockLiveMemory(tx, pair.drop_id, now);
    if (keep === undefined || drop === undefined) return false;
    await mergeInto(
      tx,
      keep,
      {
        kind: drop.kind,
        content: drop.content,
        subjects: drop.subjects,
        scope: drop.scope,
        scopeId: drop.scopeId,
        provenance: drop.provenance,
        trust: drop.trust,
        confidence: drop.confidence,
        importance: drop.importance,
      },
      MEMORY_ACTOR,
    );
    const { rows } = await tx.query<MemoryRow>(
      `UPDATE memories SET superseded_by = $2, valid_to = LEAST(COALESCE(valid_to, $3), $3), updated_at = now()
       WHERE id = $1 ${MEMORY_RETURNING}`,
      [drop.id, keep.id, now],
    );
    await recordChange(tx, {
      workspaceId: drop.workspaceId,
      memoryId: drop.id,
      action: 'supersede',
      actor: MEMORY_ACTOR,
      old: snapshotOf(drop),
      new: { ...snapshotOf(toMemoryRecord(rows[0]!)), mergedInto: keep.id },
    });
    return true;
  });
}

interface DecisionRow {
  workspace_id: string;
  scope: 'agent' | 'user';
  scope_id: string;
  content: string | null;
  at: Date | null;
}

const scopeKey = (row: Pick<DecisionRow, 'workspace_id' | 'scope' | 'scope_id'>) =>
  `${row.workspace_id}\u0000${row.scope}\u0000${row.scope_id}`;

/** The block's text: one line per decision, newest first, as many as fit in a block. */
export function renderRecentDecisions(decisions: ReadonlyArray<{ content: string; at: Date }>): string {
  let text = 'Most recent decisions, newest first:';
  for (const decision of decisions) {
    const oneLine = decision.content.replace(/\s+/g, ' ').trim();
    const clipped =
      oneLine.length > MAX_DECISION_CHARS ? `${oneLine.slice(0, MAX_DECISION_CHARS - 1)}…` : oneLine;
    const line = `\n- ${decision.at.toISOString().slice(0, 10)}: ${clipped}`;
    if (text.length + line.length > MAX_BLOCK_CHARS) break;
    text += line;
  }
  return text;
}

/**
 * Rewrites `recent-decisions` in every agent and user scope from its newest live decisions (removing the
 * block where none are left). Unchanged text is not rewritten, so the count is of real changes.
 */
async function rewriteRecentDecisions(store: Store, now: Date): Promise<number> {
  const { rows } = await store.query<DecisionRow>(
    `SELECT workspace_id, scope, scope_id, content, at, n FROM (
       SELECT m.workspace_id, m.scope, m.scope_id, m.content, COALESCE(m.occurred_at, m.created_at) AS at,
         row_number() OVER (PARTITION BY m.workspace_id, m.scope, m.scope_id
                            ORDER BY COALESCE(m.occurred_at, m.created_at) DESC, m.id DESC) AS n
       FROM memories m
       WHERE m.kind = 'decision' AND m.scope IN ('agent', 'user') AND m.valid_from <= $1 AND ${active('m')}
     ) d WHERE n <= $2
     UNION ALL
     SELECT b.workspace_id, b.scope, b.scope_id, NULL, NULL, NULL FROM memory_blocks b
     WHERE b.label = $3 AND b.scope IN ('agent', 'user')
     ORDER BY 1, 2, 3, 6 NULLS LAST`,
    [now, RECENT_DECISIONS, RECENT_DECISIONS_LABEL],
  );
  const scopes = new Map<string, { row: DecisionRow; decisions: Array<{ content: string; at: Date }> }>();
  for (const row of rows) {
    const entry = scopes.get(scopeKey(row)) ?? { row, decisions: [] };
    if (row.content !== null && row.at !== null) entry.decisions.push({ content: row.content, at: row.at });
    scopes.set(scopeKey(row), entry);
  }
  let rewritten = 0;
  for (const { row, decisions } of scopes.values()) {
    const target = {
      workspaceId: row.workspace_id,
      scope: row.scope,
      scopeId: row.scope_id,
      label: RECENT_DECISIONS_LABEL,
    };
    if (decisions.length === 0) {
      const { rows: stale } = await store.query<{ id: string }>(
        'SELECT id FROM memory_blocks WHERE workspace_id = $1 AND scope = $2 AND scope_id = $3 AND label = $4',
        [target.workspaceId, target.scope, target.scopeId, target.label],
      );
      if (stale[0] === undefined) continue;
      await deletePinnedBlock(store, target.workspaceId, stale[0].id, AUDIT_ACTOR);
      rewritten += 1;
      continue;
    }
    const result = await setPinnedBlock(
      store,
      { ...target, content: renderRecentDecisions(decisions) },
      AUDIT_ACTOR,
    );
    if (result.changed) rewritten += 1;
  }
  return rewritten;
}
