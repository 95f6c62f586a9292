import { z } from 'zod';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { conversationTableFiles } from '../conversations/conversation-table-files.ts';
import { sourceTableFiles } from '../knowledge/source-table-files.ts';
import { databaseLimitsSchema } from './database-source-repo.ts';
import { queryFileTables } from './file-tables.ts';

const input = z.strictObject({
  sql: z
    .string()
    .min(1)
    .max(20_000)
    .optional()
    .describe(
      'One read-only statement in DuckDB SQL over the tables; leave out to list the tables and columns',
    ),
});

/**
 * `query_files`: SQL over the tables attached to the run's conversation and in the knowledge sources the call
 * may search (each CSV, TSV or Parquet file, each sheet of a workbook, a table named after it), in an embedded DuckDB made for the call and shut off from files and
 * network before the statement runs. The files are people's uploads: the output is untrusted.
 */
export function queryFilesTool(store: Store): ToolDefinition {
  const limits = databaseLimitsSchema.parse({});
  return defineTool({
    name: 'query_files',
    description:
      'Runs one read-only SQL statement (DuckDB dialect) over the spreadsheets, CSV and Parquet files attached to this ' +
      'conversation or in the knowledge sources you may search, each a table named after its file (and sheet). Without sql it lists the tables and their columns. ' +
      `At most ${limits.maxRows} rows come back (truncated: true says more were there).`,
    inputSchema: input,
    idempotent: true,
    effect: 'read',
    stakes: 'low',
    async execute(call, context) {
      const files = [
        ...(await conversationTableFiles(store, context)),
        ...(await sourceTableFiles(store, context)).map((file) => ({
          ...file,
          from: `${file.name} (knowledge source ${file.source})`,
        })),
      ];
      if (files.length === 0)
        return {
          tables: [],
          note: 'No CSV, TSV, XLSX or Parquet file is attached to this conversation or in a knowledge source you may search.',
        };
      const { tables, result } = await queryFileTables(files, call.sql, limits, context.signal);
      return result === undefined ? { tables } : { tables: tables.map((t) => t.table), ...result };
    },
  });
}
