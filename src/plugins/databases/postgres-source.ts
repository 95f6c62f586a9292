import pg from 'pg';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type DatabaseSchema, foldColumns, MAX_COLUMNS, MAX_TABLES } from './database-schema.ts';
import type { DatabaseLimits } from './database-source-repo.ts';
import { type QueryTable, TableBuilder } from './query-table.ts';
import type { ReadOnlyStatement } from './read-only-sql.ts';

const CONNECT_TIMEOUT_MS = 5_000;
/** Rows fetched from the cursor per round trip. */
const FETCH = 500;

/** A PostgreSQL error as the model and the admin should read it: timeouts and refusals by their own codes. */
export function postgresError(error: unknown, timeoutMs: number): AgentOsError {
  if (error instanceof AgentOsError) return error;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '57014')
    return new AgentOsError(
      'database.timeout',
      `The query ran past its ${timeoutMs} ms limit and was stopped`,
    );
  if (code === '25006' || code === '42501')
    return new AgentOsError('database.write_refused', `The database refused: ${message}`, { sqlState: code });
  if (
    code === '28P01' ||
    code === '3D000' ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    /timeout/i.test(message)
  )
    return new AgentOsError('database.unreachable', `Cannot reach the database: ${message}`);
  return new AgentOsError(
    'database.query_failed',
    message,
    code === undefined ? undefined : { sqlState: code },
  );
}

/**
 * Exact numbers stay text: `numeric` and `bigint` as the database wrote them (the process-wide parsers the
 * store sets turn them into floats, which would round a customer's balance).
 */
const EXACT_AS_TEXT = new Set([20, 1700]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    EXACT_AS_TEXT.has(oid)
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    types,
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'agentos-query',
  });
  client.on('error', () => {}); // a dropped connection surfaces as the query's error
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw postgresError(error, 0);
  }
  return client;
}

/**
 * One statement in a read-only transaction under a statement timeout; a query is read through a cursor, so a
 * scan of millions of rows stops at the row limit without the rows ever being sent. Nothing is committed.
 */
export async function queryPostgres(
  url: string,
  statement: ReadOnlyStatement,
  limits: DatabaseLimits,
  signal?: AbortSignal,
): Promise<QueryTable> {
  const client = await connected(url);
  const onAbort = () => void client.end().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(limits.statementTimeoutMs)}`);
    const builder = new TableBuilder(limits);
    if (statement.kind === 'meta') {
      const result = await client.query({ text: statement.sql, rowMode: 'array' });
      for (const row of result.rows as unknown[][]) if (!builder.add(row)) break;
      return builder.table(result.fields.map((f) => f.name));
    }
    await client.query(`DECLARE agentos_query NO SCROLL CURSOR FOR ${statement.sql}`);
    let columns: string[] = [];
    for (;;) {
      const batch = await client.query({ text: `FETCH ${FETCH} FROM agentos_query`, rowMode: 'array' });
      columns = batch.fields.map((f) => f.name);
      let full = false;
      for (const row of batch.rows as unknown[][]) {
        if (!builder.add(row)) {
          full = true;
          break;
        }
      }
      if (full || batch.rows.length < FETCH) break;
    }
    return builder.table(columns);
  } catch (error) {
    throw postgresError(error, limits.statementTimeoutMs);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
}

export async function readPostgresSchema(url: string): Promise<DatabaseSchema> {
  const client = await connected(url);
  try {
    const { rows } = await client.query(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.is_nullable
       FROM information_schema.columns c
       WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg\\_%'
       ORDER BY c.table_schema, c.table_name, c.ordinal_position
       LIMIT ${MAX_TABLES * MAX_COLUMNS}`,
    );
    return foldColumns(rows);
  } catch (error) {
    throw postgresError(error, 0);
  } finally {
    await client.end().catch(() => {});
  }
}
