import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { lockDataDir } from './data-dir-lock.ts';
import type { QueryResult, SqlClient, SqlParam, Store } from './sql-client.ts';
import { storableParams } from './storable-text.ts';

type PgliteQueryable = PGlite | Transaction;

async function runQuery<Row>(
  db: PgliteQueryable,
  sql: string,
  params: readonly SqlParam[] | undefined,
): Promise<QueryResult<Row>> {
  // Text from tools, crawls, files and MCP may hold NULs or lone surrogates: cleaned, never refused.
  const result = await db.query<Row>(sql, params === undefined ? [] : [...storableParams(params)]);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

/** The embedded store: Postgres compiled to WASM, one data directory on disk, one connection. */
export class PgliteStore implements Store {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  readonly #unlock: () => void;

  private constructor(db: PGlite, unlock: () => void) {
    this.#db = db;
    this.#unlock = unlock;
  }

  /** `dataDir` undefined means in-memory (tests). */
  static async open(dataDir: string | undefined): Promise<PgliteStore> {
    if (dataDir === undefined) {
      const db = new PGlite({ extensions: { pg_trgm } });
      await db.waitReady;
      return new PgliteStore(db, () => {});
    }
    mkdirSync(dataDir, { recursive: true });
    const unlock = lockDataDir(dataDir);
    try {
      const db = new PGlite(dataDir, { extensions: { pg_trgm } });
      await db.waitReady;
      return new PgliteStore(db, unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<Row>> {
    return runQuery<Row>(this.#db, sql, params);
  }

  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) =>
      work({
        query: <Row>(sql: string, params?: readonly SqlParam[]) => runQuery<Row>(tx, sql, params),
        execScript: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  }

  async execScript(sql: string): Promise<void> {
    await this.#db.exec(sql);
  }

  async close(): Promise<void> {
    if (this.#db.closed) return;
    await this.#db.close();
    this.#unlock();
  }
}
