import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const memoryKindSchema = z.enum(['fact', 'decision', 'preference', 'procedure', 'episode', 'handoff']);
export const memoryScopeSchema = z.enum(['agent', 'user', 'space', 'workspace']);
export const memorySourceSchema = z.enum(['user', 'tool_output', 'document', 'agent_inferred']);
export const memoryTrustSchema = z.enum(['trusted', 'untrusted']);

export type MemoryKind = z.infer<typeof memoryKindSchema>;
export type MemoryScope = z.infer<typeof memoryScopeSchema>;
export type MemorySource = z.infer<typeof memorySourceSchema>;
export type MemoryTrust = z.infer<typeof memoryTrustSchema>;

/** Where a memory came from: the run, step, agent and user that wrote it, and what kind of source it is. */
export const provenanceSchema = z.strictObject({
  source: memorySourceSchema,
  runId: z.string().min(1).optional(),
  step: z.number().int().min(0).optional(),
  agentId: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

/** One readable or writable place: `agent`/`agt_…`, `user`/`usr_…`, `space`/`spc_…`, `workspace`/`ws_…`. */
export interface ScopeRef {
  scope: MemoryScope;
  scopeId: string;
}

export const memoryContentSchema = z.string().trim().min(1).max(20_000);
export const memorySubjectsSchema = z.array(z.string().trim().min(1).max(200)).max(32);
export const memoryContextSchema = z.string().max(20_000);
export const unitIntervalSchema = z.number().min(0).max(1);

export interface MemoryRecord {
  id: string;
  workspaceId: string;
  kind: MemoryKind;
  content: string;
  /** People, projects or things the memory is about; indexed with a lower weight than the content. */
  subjects: string[];
  /** Surrounding text that helps find the memory (e.g. the dialogue around an episode); indexed, lowest weight. */
  context: string;
  scope: MemoryScope;
  scopeId: string;
  provenance: Provenance;
  /** Untrusted memories (tool output, documents, agent inferences) are data, never instructions. */
  trust: MemoryTrust;
  confidence: number;
  importance: number;
  validFrom: Date;
  validTo: Date | null;
  supersededBy: string | null;
  /** When the remembered thing happened (e.g. a session date), as opposed to when it was written down. */
  occurredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface NewMemory {
  kind: MemoryKind;
  content: string;
  subjects?: readonly string[] | undefined;
  context?: string | undefined;
  scope: MemoryScope;
  scopeId: string;
  provenance: Provenance;
  /** Defaults from the provenance: only what a user said directly is trusted. */
  trust?: MemoryTrust | undefined;
  confidence?: number | undefined;
  importance?: number | undefined;
  validFrom?: Date | undefined;
  validTo?: Date | null | undefined;
  occurredAt?: Date | null | undefined;
}

/** Fields an edit may change; undefined keys are left as they are. */
export interface MemoryPatch {
  kind?: MemoryKind | undefined;
  content?: string | undefined;
  subjects?: readonly string[] | undefined;
  context?: string | undefined;
  trust?: MemoryTrust | undefined;
  confidence?: number | undefined;
  importance?: number | undefined;
  validTo?: Date | null | undefined;
  occurredAt?: Date | null | undefined;
}

/** Who makes a change; `requestKey` makes a change idempotent (a retried tool call applies it once). */
export interface MemoryActor {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  requestKey?: string | undefined;
}

export const defaultTrust = (source: MemorySource): MemoryTrust =>
  source === 'user' ? 'trusted' : 'untrusted';

export function newMemoryId(): string {
  return `mem_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

export interface MemoryRow {
  id: string;
  workspace_id: string;
  kind: MemoryKind;
  content: string;
  subjects: string[];
  context: string;
  scope: MemoryScope;
  scope_id: string;
  provenance: Provenance;
  trust: MemoryTrust;
  confidence: number;
  importance: number;
  valid_from: Date;
  valid_to: Date | null;
  superseded_by: string | null;
  occurred_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMN_NAMES = [
  'id',
  'workspace_id',
  'kind',
  'content',
  'subjects',
  'context',
  'scope',
  'scope_id',
  'provenance',
  'trust',
  'confidence',
  'importance',
  'valid_from',
  'valid_to',
  'superseded_by',
  'occurred_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/** Every column but the generated `tsv`, qualified with `m.`. */
export const MEMORY_COLUMNS = COLUMN_NAMES.map((name) => `m.${name}`).join(', ');
export const MEMORY_RETURNING = `RETURNING ${COLUMN_NAMES.join(', ')}`;

export const toMemoryRecord = (row: MemoryRow): MemoryRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  kind: row.kind,
  content: row.content,
  subjects: row.subjects,
  context: row.context,
  scope: row.scope,
  scopeId: row.scope_id,
  provenance: row.provenance,
  trust: row.trust,
  confidence: row.confidence,
  importance: row.importance,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  supersededBy: row.superseded_by,
  occurredAt: row.occurred_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

/** The scope pairs as two parallel arrays, the shape the SQL `unnest($n::text[], $m::text[])` reads. */
export function scopeArrays(scopes: readonly ScopeRef[]): { scopes: string[]; scopeIds: string[] } {
  return { scopes: scopes.map((s) => s.scope), scopeIds: scopes.map((s) => s.scopeId) };
}
