import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SecretBox } from '../../core/secrets/secret-box.ts';
import { newId } from '../../core/store/ids.ts';
import { isUniqueViolation } from '../../core/store/pg-errors.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import { TOOL_EFFECTS, TOOL_STAKES, type ToolEffect, type ToolStakes } from '../../core/tools/tool.ts';
import { mcpServerNameProblem } from '../../core/tools/tool-name.ts';
import { isFieldPath, MAX_TRUSTED_FIELDS } from '../../core/tools/trusted-fields.ts';

/** Tool names are `<server>__<tool>` (`core/tools/tool-name.ts`), so a server name has no `__` nor a final `_`. */
export const mcpServerNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,31}$/,
    'lowercase letters, digits, "_" and "-", starting with a letter, at most 32',
  )
  .superRefine((name, ctx) => {
    const problem = mcpServerNameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'an HTTP header name');
const secretValue = z.string().max(16_000);

export const mcpServerInputSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    name: mcpServerNameSchema,
    transport: z.literal('stdio'),
    command: z.string().min(1).max(1_000),
    args: z.array(z.string().max(4_000)).max(100).default([]),
    /** Stored encrypted; the API shows only the names. */
    env: z.record(envName, secretValue).default({}),
  }),
  z.strictObject({
    name: mcpServerNameSchema,
    transport: z.literal('http'),
    url: z
      .url({ protocol: /^https?$/ })
      .refine((url) => new URL(url).username === '' && new URL(url).password === '', {
        message: 'put credentials in headers, not in the URL',
      }),
    /** Stored encrypted; the API shows only the names. */
    headers: z.record(headerName, secretValue).default({}),
  }),
]);
export type McpServerInput = z.output<typeof mcpServerInputSchema>;

/** What a top-level argument means for the policy (`ToolOverride.argumentRoles`). */
export const argumentRoleSchema = z.enum(['destination', 'recipient', 'amount', 'path', 'secret']);
export type ArgumentRole = z.output<typeof argumentRoleSchema>;

export const toolOverrideSchema = z.strictObject({
  stakes: z.enum(TOOL_STAKES as [ToolStakes, ...ToolStakes[]]).optional(),
  effect: z.enum(TOOL_EFFECTS as [ToolEffect, ...ToolEffect[]]).optional(),
  /**
   * Top-level argument names that name a destination (URL, host, email address, account), on top of the
   * properties whose JSON-schema `format` says so. Replaces the list set before; `[]` clears it.
   */
  destinations: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** The output is the workspace's own data (the user's balance), not content from outside: it does not taint. */
  trustedOutput: z.boolean().optional(),
  /**
   * Paths into the (structured or JSON) output whose values are the system's own data (`[].name`, `from`),
   * beside content from outside (`core/tools/trusted-fields.ts`). Replaces the list set before; `[]` clears it.
   */
  trustedFields: z
    .array(
      z.string().refine(isFieldPath, {
        message:
          'a field path is property names joined by dots, [] for every item of a list: "[].name", "items[].price"',
      }),
    )
    .max(MAX_TRUSTED_FIELDS)
    .optional(),
  /**
   * What top-level arguments mean for the policy: `destination` and `recipient` say where data goes (as
   * `destinations`), `amount`, `path` and `secret` decide what the call does. Arguments with a role are the
   * tool's security-relevant ones (`securityArguments`); with none set, every argument counts. Replaces the
   * map set before; `{}` clears it.
   */
  argumentRoles: z.record(z.string().min(1).max(200), argumentRoleSchema).optional(),
});
export type ToolOverride = z.output<typeof toolOverrideSchema>;

/** A registered server as anyone may see it: credentials by name only. */
export interface McpServerRecord {
  id: string;
  workspaceId: string;
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args: string[];
  url: string | null;
  secretNames: { env: string[]; headers: string[] };
  toolOverrides: Record<string, ToolOverride>;
  createdAt: Date;
}

/** What a connection needs: the record plus its decrypted credentials. Never leaves the process. */
export interface McpServerSpec extends McpServerRecord {
  env: Record<string, string>;
  headers: Record<string, string>;
}

interface McpServerRow {
  id: string;
  workspace_id: string;
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args: string[];
  url: string | null;
  secrets_sealed: string | null;
  secret_names: { env: string[]; headers: string[] };
  tool_overrides: Record<string, ToolOverride>;
  created_at: Date;
}

const COLUMNS = `id, workspace_id, name, transport, command, args, url, secrets_sealed, secret_names,
  tool_overrides, created_at`;

const toRecord = (row: McpServerRow): McpServerRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  transport: row.transport,
  command: row.command,
  args: row.args,
  url: row.url,
  secretNames: row.secret_names,
  toolOverrides: row.tool_overrides,
  createdAt: row.created_at,
});

const sealContext = (id: string): string => `mcp_servers:${id}`;

export async function createMcpServer(
  db: SqlClient,
  box: SecretBox,
  workspaceId: string,
  input: McpServerInput,
): Promise<McpServerRecord> {
  const id = newId('mcp');
  const env = input.transport === 'stdio' ? input.env : {};
  const headers = input.transport === 'http' ? input.headers : {};
  const names = { env: Object.keys(env), headers: Object.keys(headers) };
  const hasSecrets = names.env.length + names.headers.length > 0;
  try {
    const { rows } = await db.query<McpServerRow>(
      `INSERT INTO mcp_servers (id, workspace_id, name, transport, command, args, url, secrets_sealed, secret_names)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb) RETURNING ${COLUMNS}`,
      [
        id,
        workspaceId,
        input.name,
        input.transport,
        input.transport === 'stdio' ? input.command : null,
        jsonParam(input.transport === 'stdio' ? input.args : []),
        input.transport === 'http' ? input.url : null,
        hasSecrets ? box.seal(JSON.stringify({ env, headers }), sealContext(id)) : null,
        jsonParam(names),
      ],
    );
    return toRecord(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AgentOsError('resource.conflict', `An MCP server named "${input.name}" already exists`);
    }
    throw error;
  }
}

async function findRow(db: SqlClient, workspaceId: string, idOrName: string): Promise<McpServerRow> {
  const { rows } = await db.query<McpServerRow>(
    `SELECT ${COLUMNS} FROM mcp_servers WHERE workspace_id = $1 AND (id = $2 OR name = $2)`,
    [workspaceId, idOrName],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AgentOsError('resource.not_found', `No MCP server "${idOrName}" in this workspace`);
  return row;
}

export async function listMcpServers(db: SqlClient, workspaceId: string): Promise<McpServerRecord[]> {
  const { rows } = await db.query<McpServerRow>(
    `SELECT ${COLUMNS} FROM mcp_servers WHERE workspace_id = $1 ORDER BY name`,
    [workspaceId],
  );
  return rows.map(toRecord);
}

/** The servers of a workspace with these names, credentials decrypted. */
export async function loadMcpServerSpecs(
  db: SqlClient,
  box: SecretBox,
  workspaceId: string,
  names: readonly string[],
): Promise<McpServerSpec[]> {
  if (names.length === 0) return [];
  const { rows } = await db.query<McpServerRow>(
    `SELECT ${COLUMNS} FROM mcp_servers WHERE workspace_id = $1 AND name = ANY($2::text[])`,
    [workspaceId, names],
  );
  return rows.map((row) => specOf(box, row));
}

export async function loadMcpServerSpec(
  db: SqlClient,
  box: SecretBox,
  workspaceId: string,
  idOrName: string,
): Promise<McpServerSpec> {
  return specOf(box, await findRow(db, workspaceId, idOrName));
}

function specOf(box: SecretBox, row: McpServerRow): McpServerSpec {
  const secrets =
    row.secrets_sealed === null
      ? { env: {}, headers: {} }
      : (JSON.parse(box.open(row.secrets_sealed, sealContext(row.id))) as Pick<
          McpServerSpec,
          'env' | 'headers'
        >);
  return { ...toRecord(row), env: secrets.env, headers: secrets.headers };
}

export async function deleteMcpServer(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
): Promise<McpServerRecord> {
  const row = await findRow(db, workspaceId, idOrName);
  await db.query('DELETE FROM mcp_servers WHERE id = $1', [row.id]);
  return toRecord(row);
}

/** Sets an admin's stakes, effect or destinations for one tool of a server (merged with what was set before). */
export async function setToolOverride(
  db: SqlClient,
  workspaceId: string,
  idOrName: string,
  tool: string,
  override: ToolOverride,
): Promise<McpServerRecord> {
  const row = await findRow(db, workspaceId, idOrName);
  const merged = { ...row.tool_overrides[tool], ...override };
  const { rows } = await db.query<McpServerRow>(
    `UPDATE mcp_servers SET tool_overrides = tool_overrides || jsonb_build_object($2::text, $3::jsonb)
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [row.id, tool, jsonParam(merged)],
  );
  return toRecord(rows[0]!);
}
