import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Block, ParsedDocument } from '../parsed-document.ts';

/** Rows of a Parquet file made searchable, at most this many (the table itself is queried whole). */
export const MAX_PARQUET_ROWS = 10_000;

/**
 * A Parquet file read by an embedded DuckDB (in memory, no extensions loaded): one paragraph per row of
 * `column: value` lines, as CSV rows are, up to MAX_PARQUET_ROWS.
 */
export async function parseParquet(content: Uint8Array): Promise<ParsedDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'agentos-parquet-'));
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    const path = join(dir, 'file.parquet');
    await writeFile(path, content);
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet('${path}') LIMIT ${MAX_PARQUET_ROWS}`,
    );
    const names = reader.columnNames();
    const blocks: Block[] = reader.getRows().map((row) => ({
      kind: 'paragraph',
      text: row
        .map(
          (value, index) =>
            [names[index] ?? `column ${index + 1}`, value === null ? '' : String(value)] as const,
        )
        .filter(([, value]) => value.trim() !== '')
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n'),
    }));
    return { blocks: blocks.filter((block) => block.text !== '') };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
