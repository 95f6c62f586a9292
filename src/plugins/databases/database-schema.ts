/**
 * What a connected database holds, as its read-only role sees it (information_schema shows only what the role
 * may read): tables and their columns, read when the database is connected and on refresh, and shown to the
 * agent by `describe_databases` so it can write SQL without guessing.
 */
export interface DatabaseColumn {
  name: string;
  type: string;
  nullable: boolean;
}

export interface DatabaseTable {
  schema: string;
  name: string;
  columns: DatabaseColumn[];
}

export interface DatabaseSchema {
  tables: DatabaseTable[];
  /** More tables or columns than are kept (MAX_TABLES, MAX_COLUMNS). */
  truncated: boolean;
}

export const MAX_TABLES = 300;
export const MAX_COLUMNS = 100;

/** Rows of information_schema.columns in table order, folded into tables within the caps. */
export function foldColumns(
  rows: ReadonlyArray<{
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>,
): DatabaseSchema {
  const tables: DatabaseTable[] = [];
  let truncated = false;
  for (const row of rows) {
    let table = tables.at(-1);
    if (table === undefined || table.schema !== row.table_schema || table.name !== row.table_name) {
      if (tables.length === MAX_TABLES) {
        truncated = true;
        break;
      }
      table = { schema: row.table_schema, name: row.table_name, columns: [] };
      tables.push(table);
    }
    if (table.columns.length === MAX_COLUMNS) {
      truncated = true;
      continue;
    }
    table.columns.push({ name: row.column_name, type: row.data_type, nullable: row.is_nullable === 'YES' });
  }
  return { tables, truncated };
}
