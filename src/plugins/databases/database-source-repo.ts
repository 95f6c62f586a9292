import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SecretBox } from '../../core/secrets/secret-box.ts';
import { newId } from '../../core/store/ids.ts';
import { isUniqueViolation } from '../../core/store/pg-errors.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import type { DatabaseSchema } from './database-schema.ts';

/**
 * A database an admin connected for agents to query: where it is (the URL, sealed: it holds the read-only
 * role's password), what it holds (its schema, read when connected and on refresh) and the limits every
 * query runs under.
 */
export type DatabaseKind = 'postgres' | 'mysql';

const KINDS: Record<string, DatabaseKind> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

export const databaseNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    'lowercase letters, digits, "_" and "-", starting with a letter, at most 63',
  );

const limitFields = {
  /** A query running longer is stopped by the database (statement timeout). */
  statementTimeoutMs: z.number().int().min(100).max(120_000),
  /** Rows returned at most; the result says when more were there. */
  maxRows: z.number().int().min(1).max(10_000),
  /** The JSON of the rows returned at most; rows past it are cut like rows past `maxRows`. */
  maxResultBytes: z
    .number()
    .int()
    .min(1_024)
    .max(8 * 1024 * 1024),
};

export const databaseLimitsSchema = z.strictObject({
  statementTimeoutMs: limitFields.statementTimeoutMs.default(5_000),
  maxRows: limitFields.maxRows.default(1_000),
  maxResultBytes: limitFields.maxResultBytes.default(1024 * 1024),
});

/** Limits to change, without defaults: a field left out keeps its value. */
const databaseLimitsPatchSchema = z.strictObject({
  statementTimeoutMs: limitFields.statementTimeoutMs.optional(),
  maxRows: limitFields.maxRows.optional(),
  maxResultBytes: limitFields.maxResultBytes.optional(),
});
export type DatabaseLimits = z.output<typeof databaseLimitsSchema>;

const urlSchema = z
  .string()
  .min(1)
  .max(2_000)
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a URL such as postgres://reader:secret@host:5432/db' });
      return;
    }
    if (KINDS[url.protocol] === undefined)
      ctx.addIssue({ code: 'custom', message: 'the scheme must be postgres, postgresql, mysql or mariadb' });
    if (url.hostname === '') ctx.addIssue({ code: 'custom', message: 'the URL names no host' });
    if (url.pathname.replace(/^\//, '') === '')
      ctx.addIssue({ code: 'custom', message: 'the URL names no database' });
  });

export const databaseSourceInputSchema = z.strictObject({
  name: databaseNameSchema,
  /** Connect with a role that may only read: the role is the second lock after the SQL check. */
  url: urlSchema,
  description: z.string().trim().max(2_000).default(''),
  /** The owning space (id or name, stored as the id); absent: every member's runs may query it. */
  space: z.string().min(1).max(200).optional(),
  /**
   * Its rows are the organisation's own records, written by no one outside (a ledger the finance system
   * keeps): query results do not taint a run and vouch for a consequential call's values. Off by default.
   */
  trustedOutput: z.boolean().default(false),
  limits: databaseLimitsSchema.default(() => databaseLimitsSchema.parse({})),
});
export type DatabaseSourceInput = z.output<typeof databaseSourceInputSchema>;

/** A connected database as anyone may see it: the URL without its password. */
export interface DatabaseSource {
  id: string;
  workspaceId: string;
  name: string;
  kind: DatabaseKind;
  /** `postgres://reader:***@db:5432/shop`. */
  shownUrl: string;
  description: string;
  spaceId: string | null;
  trustedOutput: boolean;
  limits: DatabaseLimits;
  schema: DatabaseSchema | null;
  schemaReadAt: Date | null;
  createdAt: Date;
}

/** What a connection needs; never leaves the process. */
export interface DatabaseSourceSpec extends DatabaseSource {
  url: string;
}

interface Row {
  id: string;
  workspace_id: string;
  name: string;
  kind: DatabaseKind;
  url_sealed: string;
  shown_url: string;
  description: string;
  space_id: string | null;
  trusted_output: boolean;
  limits: DatabaseLimits;
  db_schema: DatabaseSchema | null;
  schema_read_at: Date | null;
  created_at: Date;
}

export const DATABASE_COLUMNS = `d.id, d.workspace_id, d.name, d.kind, d.url_sealed, d.shown_url, d.description,
  d.space_id, d.trusted_output, d.limits, d.db_schema, d.schema_read_at, d.created_at`;

export const toDatabaseSource = (row: Row): DatabaseSource => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  kind: row.kind,
  shownUrl: row.shown_url,
  description: row.description,
  spaceId: row.space_id,
  trustedOutput: row.trusted_output,
  limits: databaseLimitsSchema.parse(row.limits),
  schema: row.db_schema,
  schemaReadAt: row.schema_read_at,
  createdAt: row.created_at,
});
export type DatabaseRow = Row;

const sealContext = (id: string) => `database_source:${id}:url`;

export function kindOfUrl(url: string): DatabaseKind {
  const kind = KINDS[new URL(url).protocol];
  if (kind === undefined)
    throw new AgentOsError('request.invalid', `Not a database URL: ${new URL(url).protocol}`);
  return kind;
}

export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

export async function createDatabaseSource(
  db: SqlClient,
  box: SecretBox,
  input: DatabaseSourceInput & { workspaceId: string; spaceId: string | null; schema: DatabaseSchema },
): Promise<DatabaseSource> {
  const id = newId('dbs');
  try {
    const { rows } = await db.query<Row>(
      `INSERT INTO database_sources AS d (id, workspace_id, name, kind, url_sealed, shown_url, description,
         space_id, trusted_output, limits, db_schema, schema_read_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       RETURNING ${DATABASE_COLUMNS}`,
      [
        id,
        input.workspaceId,
        input.name,
        kindOfUrl(input.url),
        box.seal(input.url, sealContext(id)),
        shownUrl(input.url),
        input.description,
        input.spaceId,
        input.trustedOutput,
        jsonParam(input.limits),
        jsonParam(input.schema),
      ],
    );
    return toDatabaseSource(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AgentOsError('resource.conflict', `A database named "${input.name}" is already connected`);
    throw error;
  }
}

export async function listDatabaseSources(db: SqlClient, workspaceId: string): Promise<DatabaseSource[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${DATABASE_COLUMNS} FROM database_sources d WHERE d.workspace_id = $1 ORDER BY d.name`,
    [workspaceId],
  );
  return rows.map(toDatabaseSource);
}

async function rowOf(db: SqlClient, workspaceId: string, idOrName: string): Promise<Row> {
  const { rows } = await db.query<Row>(
    `SELECT ${DATABASE_COLUMNS} FROM database_sources d WHERE d.workspace_id = $1 AND (d.id = $2 OR d.name = $2)`,
    [workspaceId, idOrName],
  );
  if (rows[0] === undefined) throw new AgentOsError('resource.not_found', `No database "${idOrName}"`);
  return rows[0];
}

export async function getDatabaseSource(db: SqlClient, workspaceId: string, idOrName: string) {
  return toDatabaseSource(await rowOf(db, workspaceId, idOrName));
}

/** The source with its URL opened, for a connection. */
export function openSpec(box: SecretBox, row: Row): DatabaseSourceSpec {
  return { ...toDatabaseSource(row), url: box.open(row.url_sealed, sealContext(row.id)) };
}

export async function loadDatabaseSpec(
  db: SqlClient,
  box: SecretBox,
  workspaceId: string,
  idOrName: string,
): Promise<DatabaseSourceSpec> {
  return openSpec(box, await rowOf(db, workspaceId, idOrName));
}

export async function saveDatabaseSchema(db: SqlClient, id: string, schema: DatabaseSchema) {
  const { rows } = await db.query<Row>(
    `UPDATE database_sources AS d SET db_schema = $2, schema_read_at = now() WHERE d.id = $1
     RETURNING ${DATABASE_COLUMNS}`,
    [id, jsonParam(schema)],
  );
  return toDatabaseSource(rows[0]!);
}

/** What an admin may change without reconnecting: the description, the trust label, the limits. */
export const databaseSourcePatchSchema = z
  .strictObject({
    description: z.string().trim().max(2_000).optional(),
    trustedOutput: z.boolean().optional(),
    limits: databaseLimitsPatchSchema.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'send description, trustedOutput, limits or several of them',
  });
export type DatabaseSourcePatch = z.output<typeof databaseSourcePatchSchema>;

export async function updateDatabaseSource(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
  patch: DatabaseSourcePatch,
): Promise<DatabaseSource> {
  const current = toDatabaseSource(await rowOf(db, workspaceId, idOrName));
  const changed = Object.fromEntries(
    Object.entries(patch.limits ?? {}).filter(([, value]) => value !== undefined),
  );
  const limits = databaseLimitsSchema.parse({ ...current.limits, ...changed });
  const { rows } = await db.query<Row>(
    `UPDATE database_sources AS d SET description = $2, trusted_output = $3, limits = $4 WHERE d.id = $1
     RETURNING ${DATABASE_COLUMNS}`,
    [
      current.id,
      patch.description ?? current.description,
      patch.trustedOutput ?? current.trustedOutput,
      jsonParam(limits),
    ],
  );
  return toDatabaseSource(rows[0]!);
}

export async function deleteDatabaseSource(db: SqlClient, workspaceId: string, idOrName: string) {
  const row = await rowOf(db, workspaceId, idOrName);
  await db.query('DELETE FROM database_sources WHERE id = $1', [row.id]);
  return toDatabaseSource(row);
}
