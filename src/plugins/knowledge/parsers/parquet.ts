import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedDocument } from '../parsed-document.ts';
import { withScratchDuckDb } from '../scratch-duckdb.ts';
import { recordsDocument } from './csv.ts';

/** Rows of a Parquet file made searchable, at most this many (the table itself is queried whole). */
export const MAX_PARQUET_ROWS = 10_000;

/**
 * A Parquet file read by an embedded DuckDB (in memory, no extensions loaded): one paragraph per row of
 * `column: value` lines, as CSV rows are, up to MAX_PARQUET_ROWS.
 */
export async function parseParquet(content: Uint8Array): Promise<ParsedDocument> {
  return withScratchDuckDb({ threads: '1' }, async (connection, dir) => {
    const path = join(dir, 'file.parquet');
    await writeFile(path, content);
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet('${path}') LIMIT ${MAX_PARQUET_ROWS}`,
    );
    const names = reader.columnNames();
    return recordsDocument([
      names,
      ...reader.getRows().map((row) => row.map((value) => (value === null ? '' : String(value)))),
    ]);
  });
}
