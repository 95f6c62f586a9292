import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * An embedded DuckDB for one piece of work: in memory, extension autoloading off, with a scratch folder for
 * the files it reads; both are gone when `body` settles. The native module is loaded on first use, not when
 * a process starts.
 */
export async function withScratchDuckDb<T>(
  settings: Record<string, string>,
  body: (connection: DuckDBConnection, dir: string) => Promise<T>,
): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = await mkdtemp(join(tmpdir(), 'agentos-duckdb-'));
  try {
    const instance = await DuckDBInstance.create(':memory:', {
      ...settings,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    try {
      const connection = await instance.connect();
      try {
        return await body(connection, dir);
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
