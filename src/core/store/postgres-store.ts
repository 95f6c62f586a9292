import pg from 'pg';
import type { QueryResult, SqlClient, SqlParam, Store } from './sql-client.ts';
import { storableParams } from './storable-text.ts';

// int8 (counts, sums) as JS numbers, as PGlite returns them; our values stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(1700, (value) => Number.parseFloat(value));

async function runQuery<Row>(
  client: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly SqlParam[] | undefined,
): Promise<QueryResult<Row>> {
  // Text from tools, crawls, files and MCP may hold NULs or lone surrogates: cleaned, never refused.
  const result = await client.query(sql, params === undefined ? [] : [...storableParams(params)]);
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}

/** The scale-out store: a real PostgreSQL reached through a connection pool. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  #closed = false;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  static async open(
    connectionString: string,
    options: { maxConnections?: number } = {},
  ): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const store = new PostgresStore(pool);
    await store.query('SELECT 1');
    return store;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<Row>> {
    return runQuery<Row>(this.#pool, sql, params);
  }

  async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: <Row>(sql: string, params?: readonly SqlParam[]) => runQuery<Row>(client, sql, params),
        execScript: async (sql: string) => {
          await client.query(sql);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async execScript(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
