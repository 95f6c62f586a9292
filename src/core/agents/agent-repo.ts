import { z } from 'zod';
import { AgentOsError, describeIssues, type ErrorCode } from '../errors/agent-os-error.ts';
import { newId } from '../store/ids.ts';
import { isUniqueViolation } from '../store/pg-errors.ts';
import { jsonParam, type SqlClient, type Store } from '../store/sql-client.ts';
import {
  type AgentDefinition,
  type AgentDefinitionInput,
  agentDefinitionSchema,
  agentLimitsSchema,
  agentMemorySchema,
} from './agent-definition.ts';

/** One version of an agent. `createdAt` is when the agent was created, `updatedAt` when this version was written. */
export interface AgentRecord {
  id: string;
  workspaceId: string;
  name: string;
  version: number;
  definition: AgentDefinition;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

type AgentLimitsInput = NonNullable<AgentDefinitionInput['limits']>;
type AgentMemoryInput = NonNullable<AgentDefinitionInput['memory']>;
type Partial<T> = { [K in keyof T]?: T[K] | undefined };

/** A partial definition merged over the latest one (`limits` and `memory` merge key by key); undefined keys are ignored. */
export type AgentPatch = {
  [K in Exclude<keyof AgentDefinitionInput, 'limits' | 'memory'>]?: AgentDefinitionInput[K] | undefined;
} & { limits?: Partial<AgentLimitsInput> | undefined; memory?: Partial<AgentMemoryInput> | undefined };

const NESTED_KEYS = ['limits', 'memory'] as const;

const definitionShape = agentDefinitionSchema.shape;
const limitsShape = agentLimitsSchema.shape;
const memoryShape = agentMemorySchema.shape;

/** The shape of a patch, without the defaults (a patch that omits a key must not reset it). */
export const agentPatchSchema = z.strictObject({
  name: definitionShape.name.optional(),
  description: definitionShape.description.optional(),
  instructions: definitionShape.instructions.unwrap().optional(),
  model: definitionShape.model.optional(),
  tools: definitionShape.tools.unwrap().optional(),
  space: definitionShape.space,
  skills: definitionShape.skills,
  knowledge: definitionShape.knowledge,
  checks: definitionShape.checks,
  limits: z
    .strictObject({
      maxSteps: limitsShape.maxSteps.unwrap().optional(),
      maxTokens: limitsShape.maxTokens,
      maxCostUsd: limitsShape.maxCostUsd,
      timeoutMs: limitsShape.timeoutMs,
      toolTimeoutMs: limitsShape.toolTimeoutMs.unwrap().optional(),
      maxInvalidToolCalls: limitsShape.maxInvalidToolCalls.unwrap().optional(),
    })
    .optional(),
  memory: z
    .strictObject({
      recall: memoryShape.recall.unwrap().optional(),
      contextTokens: memoryShape.contextTokens,
      extract: memoryShape.extract.unwrap().optional(),
    })
    .optional(),
});

interface AgentRow {
  id: string;
  workspace_id: string;
  name: string;
  version: number;
  definition: unknown;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const SELECT_RECORD = `SELECT a.id, a.workspace_id, a.name, v.version, v.definition, a.created_at,
  v.created_at AS updated_at, a.deleted_at FROM agents a JOIN agent_versions v ON v.agent_id = a.id`;

function validDefinition(
  value: unknown,
  where: string,
  code: ErrorCode = 'request.invalid',
): AgentDefinition {
  const result = agentDefinitionSchema.safeParse(value);
  if (!result.success) {
    throw new AgentOsError(code, `Invalid ${where}: ${describeIssues(result.error.issues)}`, {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    });
  }
  return result.data;
}

const toRecord = (row: AgentRow): AgentRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  version: row.version,
  definition: validDefinition(
    row.definition,
    `stored definition of agent ${row.id} v${row.version}`,
    'internal',
  ),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

/** Runs `work` in a transaction: a new one on a Store, the caller's when `db` is already a transaction. */
function inTransaction<T>(db: SqlClient | Store, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(work) : work(db);
}

const nameTaken = (name: string) =>
  new AgentOsError('resource.conflict', `An agent named "${name}" already exists in this workspace`);

const notFound = (idOrName: string, version?: number) =>
  new AgentOsError(
    'resource.not_found',
    version === undefined ? `No agent "${idOrName}"` : `No version ${version} of agent "${idOrName}"`,
  );

/** The space of a definition, by id or name, as its id; a space of another workspace does not exist. */
async function resolveSpace(
  tx: SqlClient,
  agentId: string,
  space: string | undefined,
): Promise<string | null> {
  if (space === undefined) return null;
  const { rows } = await tx.query<{ id: string }>(
    `SELECT s.id FROM spaces s JOIN agents a ON a.workspace_id = s.workspace_id
     WHERE a.id = $1 AND (s.id = $2 OR s.name = $2)`,
    [agentId, space],
  );
  if (rows[0] === undefined)
    throw new AgentOsError('request.invalid', `No space "${space}" in this workspace`);
  return rows[0].id;
}

async function insertVersion(
  tx: SqlClient,
  agentId: string,
  version: number,
  definition: AgentDefinition,
  userId: string | undefined,
): Promise<void> {
  const spaceId = await resolveSpace(tx, agentId, definition.space);
  const stored: AgentDefinition = spaceId === null ? definition : { ...definition, space: spaceId };
  await tx.query(
    'INSERT INTO agent_versions (agent_id, version, definition, created_by) VALUES ($1, $2, $3::jsonb, $4)',
    [agentId, version, jsonParam(stored), userId ?? null],
  );
  await tx.query('UPDATE agents SET space_id = $2 WHERE id = $1', [agentId, spaceId]);
}

async function readRecord(db: SqlClient, agentId: string, version: number): Promise<AgentRecord> {
  const { rows } = await db.query<AgentRow>(`${SELECT_RECORD} WHERE a.id = $1 AND v.version = $2`, [
    agentId,
    version,
  ]);
  const row = rows[0];
  if (row === undefined) throw notFound(agentId, version);
  return toRecord(row);
}

export async function createAgent(
  db: SqlClient | Store,
  input: { workspaceId: string; definition: AgentDefinition; createdBy?: string },
): Promise<AgentRecord> {
  const definition = validDefinition(input.definition, 'agent definition');
  try {
    return await inTransaction(db, async (tx) => {
      const id = newId('agt');
      await tx.query('INSERT INTO agents (id, workspace_id, name, latest_version) VALUES ($1, $2, $3, 1)', [
        id,
        input.workspaceId,
        definition.name,
      ]);
      await insertVersion(tx, id, 1, definition, input.createdBy);
      return readRecord(tx, id, 1);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(definition.name);
    throw error;
  }
}

/** Stores a new version: the patch merged over the latest definition. Concurrent updates queue on the row lock. */
export async function updateAgent(
  db: SqlClient | Store,
  input: { workspaceId: string; idOrName: string; patch: AgentPatch; updatedBy?: string },
): Promise<AgentRecord> {
  const { workspaceId, idOrName, patch } = input;
  let newName: string | undefined;
  try {
    return await inTransaction(db, async (tx) => {
      const { rows } = await tx.query<{ id: string; latest_version: number }>(
        `SELECT id, latest_version FROM agents
         WHERE workspace_id = $1 AND (id = $2 OR name = $2) AND deleted_at IS NULL FOR UPDATE`,
        [workspaceId, idOrName],
      );
      const agent = rows[0];
      if (agent === undefined) throw notFound(idOrName);
      const latest = await readRecord(tx, agent.id, agent.latest_version);
      const definition = validDefinition(mergePatch(latest.definition, patch), 'agent definition');
      newName = definition.name;
      const version = agent.latest_version + 1;
      await tx.query('UPDATE agents SET name = $2, latest_version = $3, updated_at = now() WHERE id = $1', [
        agent.id,
        definition.name,
        version,
      ]);
      await insertVersion(tx, agent.id, version, definition, input.updatedBy);
      return readRecord(tx, agent.id, version);
    });
  } catch (error) {
    if (isUniqueViolation(error) && newName !== undefined) throw nameTaken(newName);
    throw error;
  }
}

function mergePatch(base: AgentDefinition, patch: AgentPatch): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || (NESTED_KEYS as readonly string[]).includes(key)) continue;
    merged[key] = value;
  }
  for (const nested of NESTED_KEYS) {
    const changes = patch[nested];
    if (changes === undefined) continue;
    const values: Record<string, unknown> = { ...base[nested] };
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) values[key] = value;
    }
    merged[nested] = values;
  }
  return merged;
}

/** The latest (or the given) version of a live agent of this workspace. */
export async function getAgent(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
  version?: number,
): Promise<AgentRecord> {
  const { rows } = await db.query<AgentRow>(
    `${SELECT_RECORD} WHERE a.workspace_id = $1 AND (a.id = $2 OR a.name = $2) AND a.deleted_at IS NULL
     AND v.version = COALESCE($3::integer, a.latest_version)`,
    [workspaceId, idOrName, version ?? null],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(idOrName, version);
  return toRecord(row);
}

/** A pinned version by agent id, deleted or not: what a run that started on it keeps executing. */
export async function getAgentVersionById(
  db: SqlClient,
  agentId: string,
  version: number,
): Promise<AgentRecord> {
  return readRecord(db, agentId, version);
}

export async function listAgents(db: SqlClient, workspaceId: string): Promise<AgentRecord[]> {
  const { rows } = await db.query<AgentRow>(
    `${SELECT_RECORD} WHERE a.workspace_id = $1 AND a.deleted_at IS NULL AND v.version = a.latest_version
     ORDER BY a.name`,
    [workspaceId],
  );
  return rows.map(toRecord);
}

export async function listAgentVersions(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
): Promise<AgentRecord[]> {
  const { rows } = await db.query<AgentRow>(
    `${SELECT_RECORD} WHERE a.workspace_id = $1 AND (a.id = $2 OR a.name = $2) AND a.deleted_at IS NULL
     ORDER BY v.version`,
    [workspaceId, idOrName],
  );
  if (rows.length === 0) throw notFound(idOrName);
  return rows.map(toRecord);
}

/** Soft delete: the name becomes free again; versions stay readable through getAgentVersionById. */
export async function deleteAgent(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
): Promise<AgentRecord> {
  const { rows } = await db.query<{ id: string; latest_version: number }>(
    `UPDATE agents SET deleted_at = now(), updated_at = now()
     WHERE workspace_id = $1 AND (id = $2 OR name = $2) AND deleted_at IS NULL
     RETURNING id, latest_version`,
    [workspaceId, idOrName],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(idOrName);
  return readRecord(db, row.id, row.latest_version);
}
