import type { SkillContent } from '../../core/agents/skill-definition.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { newId } from '../../core/store/ids.ts';
import { isUniqueViolation } from '../../core/store/pg-errors.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';
import { canonicalToolName } from '../../core/tools/tool-name.ts';

/** One version of a skill, with where the skill lives. `updatedAt` is when this version was written. */
export interface SkillRecord {
  id: string;
  workspaceId: string;
  /** The owning space; null: the whole workspace. */
  spaceId: string | null;
  name: string;
  shared: boolean;
  version: number;
  latestVersion: number;
  description: string;
  instructions: string;
  tools: string[];
  knowledge: string[];
  createdBy: string | null;
  /** Who wrote this version. */
  updatedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

interface SkillRow {
  id: string;
  workspace_id: string;
  space_id: string | null;
  name: string;
  shared: boolean;
  version: number;
  latest_version: number;
  description: string;
  instructions: string;
  tools: string[];
  knowledge: string[];
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const SELECT_RECORD = `SELECT s.id, s.workspace_id, s.space_id, s.name, s.shared, v.version, s.latest_version,
  v.description, v.instructions, v.tools, v.knowledge, s.created_by, v.created_by AS updated_by, s.created_at,
  v.created_at AS updated_at, s.deleted_at FROM skills s JOIN skill_versions v ON v.skill_id = s.id`;

const toRecord = (row: SkillRow): SkillRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  spaceId: row.space_id,
  name: row.name,
  shared: row.shared,
  version: row.version,
  latestVersion: row.latest_version,
  description: row.description,
  instructions: row.instructions,
  tools: row.tools.map(canonicalToolName),
  knowledge: [...row.knowledge],
  createdBy: row.created_by,
  updatedBy: row.updated_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at,
});

/** The versioned part of a record, as a skill file holds it. */
export const skillContentOf = (skill: SkillRecord): SkillContent => ({
  name: skill.name,
  description: skill.description,
  instructions: skill.instructions,
  tools: skill.tools,
  knowledge: skill.knowledge,
});

export const skillNotFound = (name: string, version?: number): AgentOsError =>
  new AgentOsError(
    'skill.not_found',
    version === undefined ? `No skill "${name}"` : `No version ${version} of skill "${name}"`,
    { skill: name, ...(version === undefined ? {} : { version }) },
  );

function inTransaction<T>(db: SqlClient | Store, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  return 'transaction' in db ? db.transaction(work) : work(db);
}

async function insertVersion(
  tx: SqlClient,
  skillId: string,
  version: number,
  content: SkillContent,
  userId: string | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO skill_versions (skill_id, version, description, instructions, tools, knowledge, created_by)
     VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7)`,
    [
      skillId,
      version,
      content.description,
      content.instructions,
      [...content.tools],
      [...content.knowledge],
      userId,
    ],
  );
}

/** A version of a skill by id, deleted or not (what a pinned agent version refers to). */
export async function getSkillVersionById(
  db: SqlClient,
  skillId: string,
  version: number,
): Promise<SkillRecord | undefined> {
  const { rows } = await db.query<SkillRow>(`${SELECT_RECORD} WHERE s.id = $1 AND v.version = $2`, [
    skillId,
    version,
  ]);
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

export async function createSkill(
  db: SqlClient | Store,
  input: {
    workspaceId: string;
    spaceId: string | null;
    shared: boolean;
    content: SkillContent;
    createdBy: string | null;
  },
): Promise<SkillRecord> {
  try {
    return await inTransaction(db, async (tx) => {
      const id = newId('skl');
      await tx.query(
        `INSERT INTO skills (id, workspace_id, space_id, name, shared, latest_version, created_by)
         VALUES ($1, $2, $3, $4, $5, 1, $6)`,
        [id, input.workspaceId, input.spaceId, input.content.name, input.shared, input.createdBy],
      );
      await insertVersion(tx, id, 1, input.content, input.createdBy);
      return (await getSkillVersionById(tx, id, 1))!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AgentOsError(
        'resource.conflict',
        `A skill named "${input.content.name}" already exists in this workspace`,
      );
    }
    throw error;
  }
}

/**
 * Stores the next version of a live skill (`content` undefined: no new version) and/or moves or shares it.
 * Concurrent writers queue on the skill's row lock, so versions stay gap-free.
 */
export async function updateSkill(
  db: SqlClient | Store,
  input: {
    skillId: string;
    content?: SkillContent | undefined;
    placement?: { spaceId: string | null; shared: boolean } | undefined;
    updatedBy: string | null;
  },
): Promise<SkillRecord> {
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ name: string; latest_version: number }>(
      'SELECT name, latest_version FROM skills WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
      [input.skillId],
    );
    const skill = rows[0];
    if (skill === undefined) throw skillNotFound(input.skillId);
    let version = skill.latest_version;
    if (input.content !== undefined) {
      version += 1;
      await insertVersion(tx, input.skillId, version, input.content, input.updatedBy);
    }
    await tx.query('UPDATE skills SET latest_version = $2, updated_at = now() WHERE id = $1', [
      input.skillId,
      version,
    ]);
    if (input.placement !== undefined) {
      await tx.query('UPDATE skills SET space_id = $2, shared = $3 WHERE id = $1', [
        input.skillId,
        input.placement.spaceId,
        input.placement.shared,
      ]);
    }
    return (await getSkillVersionById(tx, input.skillId, version))!;
  });
}

/** The latest (or the given) version of a live skill of the workspace, by id or name; undefined when none. */
export async function findSkill(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
  version?: number,
): Promise<SkillRecord | undefined> {
  const { rows } = await db.query<SkillRow>(
    `${SELECT_RECORD} WHERE s.workspace_id = $1 AND (s.id = $2 OR s.name = $2) AND s.deleted_at IS NULL
     AND v.version = COALESCE($3::integer, s.latest_version)`,
    [workspaceId, idOrName, version ?? null],
  );
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

/** The latest versions of the workspace's live skills, by name. */
export async function listSkills(db: SqlClient, workspaceId: string): Promise<SkillRecord[]> {
  const { rows } = await db.query<SkillRow>(
    `${SELECT_RECORD} WHERE s.workspace_id = $1 AND s.deleted_at IS NULL AND v.version = s.latest_version
     ORDER BY s.name`,
    [workspaceId],
  );
  return rows.map(toRecord);
}

export async function listSkillVersions(db: SqlClient, skillId: string): Promise<SkillRecord[]> {
  const { rows } = await db.query<SkillRow>(`${SELECT_RECORD} WHERE s.id = $1 ORDER BY v.version`, [skillId]);
  return rows.map(toRecord);
}

/** Soft delete: the name is free again; agents that pinned it can no longer run (skill.unavailable). */
export async function deleteSkill(db: SqlClient, skillId: string): Promise<SkillRecord> {
  const { rows } = await db.query<{ latest_version: number }>(
    `UPDATE skills SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL
     RETURNING latest_version`,
    [skillId],
  );
  if (rows[0] === undefined) throw skillNotFound(skillId);
  return (await getSkillVersionById(db, skillId, rows[0].latest_version))!;
}
