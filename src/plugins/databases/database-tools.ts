import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SecretBox } from '../../core/secrets/secret-box.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { queryableDatabases } from './database-access.ts';
import { queryDatabase } from './database-query.ts';
import { openSpec, toDatabaseSource } from './database-source-repo.ts';

const queryInput = z.strictObject({
  database: z.string().min(1).max(200).describe('The database, by name (describe_databases lists them)'),
  sql: z
    .string()
    .min(1)
    .max(20_000)
    .describe(
      "One read-only statement (SELECT, WITH, VALUES, SHOW, EXPLAIN, DESCRIBE) in the database's dialect",
    ),
});

const describeInput = z.strictObject({
  database: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only this database; default: every one you may query'),
});

/**
 * `describe_databases` and `query_database`: read-only SQL over the databases the agent is granted and its
 * user sees. Rows come from outside the kernel (anyone who can write to those tables wrote them), so the
 * query's output is untrusted like any fetched content — it taints the run and its values do not vouch for a
 * consequential call's arguments — unless an admin labelled the database `trustedOutput`. The schema is the
 * database's own structure and is trusted.
 */
export function databaseTools(store: Store, box: () => SecretBox): ToolDefinition[] {
  const describe = defineTool({
    name: 'describe_databases',
    description:
      'Lists the SQL databases you may query, with their dialect, description, tables, columns and limits. Call it before query_database.',
    inputSchema: describeInput,
    idempotent: true,
    effect: 'read',
    stakes: 'low',
    trustedOutput: true,
    async execute(input, context) {
      const rows = await queryableDatabases(store, context);
      const chosen = input.database === undefined ? rows : rows.filter((row) => row.name === input.database);
      if (input.database !== undefined && chosen.length === 0)
        throw new AgentOsError('resource.not_found', `No database "${input.database}" you may query`, {
          queryable: rows.map((row) => row.name),
        });
      return {
        databases: chosen.map((row) => {
          const source = toDatabaseSource(row);
          return {
            name: source.name,
            dialect: source.kind === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB',
            description: source.description,
            limits: source.limits,
            tables: source.schema?.tables ?? [],
            ...(source.schema?.truncated === true ? { schemaTruncated: true } : {}),
          };
        }),
      };
    },
  });

  const query = defineTool({
    name: 'query_database',
    description:
      'Runs one read-only SQL statement on a connected database and returns the rows as a table (columns, rows). ' +
      "Writes are refused. Results are cut at the database's row and size limits (truncated: true says so): aggregate in SQL rather than reading everything.",
    inputSchema: queryInput,
    idempotent: true,
    effect: 'read',
    stakes: 'low',
    timeoutMs: 130_000,
    async execute(input, context) {
      const rows = await queryableDatabases(store, context);
      const row = rows.find((candidate) => candidate.name === input.database);
      if (row === undefined)
        throw new AgentOsError('resource.not_found', `No database "${input.database}" you may query`, {
          queryable: rows.map((candidate) => candidate.name),
        });
      const source = openSpec(box(), row);
      return {
        database: source.name,
        // Set by the admin's label, never by the rows: labelOutput reads it to label this call's output.
        trusted: source.trustedOutput,
        ...(await queryDatabase(source, input.sql, context.signal)),
      };
    },
    labelOutput: (output) =>
      typeof output === 'object' && output !== null && (output as { trusted?: unknown }).trusted === true
        ? 'trusted'
        : undefined,
  });
  return [describe, query];
}
