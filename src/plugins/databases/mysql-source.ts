import mysql from 'mysql2';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type DatabaseSchema, foldColumns, MAX_COLUMNS, MAX_TABLES } from './database-schema.ts';
import type { DatabaseLimits } from './database-source-repo.ts';
import { type QueryTable, TableBuilder } from './query-table.ts';
import type { ReadOnlyStatement } from './read-only-sql.ts';

const CONNECT_TIMEOUT_MS = 5_000;
/** MariaDB's max_statement_time, MySQL's max_execution_time: both say the statement ran too long. */
const TIMED_OUT = new Set(['ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT', 'PROTOCOL_SEQUENCE_TIMEOUT']);
const TIMED_OUT_ERRNO = new Set([1969, 3024]);
const REFUSED_ERRNO = new Set([1792, 1142, 1044, 1227, 1143]);

export function mysqlError(error: unknown, timeoutMs: number): AgentOsError {
  if (error instanceof AgentOsError) return error;
  const { code, errno } = error as { code?: string; errno?: number };
  const message = error instanceof Error ? error.message : String(error);
  if ((code !== undefined && TIMED_OUT.has(code)) || (errno !== undefined && TIMED_OUT_ERRNO.has(errno)))
    return new AgentOsError(
      'database.timeout',
      `The query ran past its ${timeoutMs} ms limit and was stopped`,
    );
  if (errno !== undefined && REFUSED_ERRNO.has(errno))
    return new AgentOsError('database.write_refused', `The database refused: ${message}`, { errno });
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    errno === 1045 ||
    errno === 1049
  )
    return new AgentOsError('database.unreachable', `Cannot reach the database: ${message}`);
  return new AgentOsError('database.query_failed', message, errno === undefined ? undefined : { errno });
}

type Connection = mysql.Connection;

const run = (connection: Connection, sql: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    connection.query(sql, (error, result) => (error ? reject(error) : resolve(result)));
  });

async function connected(url: string): Promise<{ connection: Connection; mariadb: boolean }> {
  const connection = mysql.createConnection({
    uri: url,
    connectTimeout: CONNECT_TIMEOUT_MS,
    dateStrings: false,
  });
  connection.on('error', () => {}); // surfaces as the query's error
  try {
    const rows = (await run(connection, 'SELECT VERSION() AS v')) as Array<{ v: string }>;
    return { connection, mariadb: /mariadb/i.test(rows[0]?.v ?? '') };
  } catch (error) {
    connection.destroy();
    throw mysqlError(error, 0);
  }
}

/**
 * One statement in a read-only transaction under the server's statement time limit (and the driver's, as a
 * second stop); rows are streamed and the connection is dropped once the table is full, so a scan of millions
 * of rows is not read to its end. Nothing is committed.
 */
export async function queryMysql(
  url: string,
  statement: ReadOnlyStatement,
  limits: DatabaseLimits,
  signal?: AbortSignal,
): Promise<QueryTable> {
  const { connection, mariadb } = await connected(url);
  const timeoutMs = Math.trunc(limits.statementTimeoutMs);
  const onAbort = () => connection.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await run(
      connection,
      mariadb
        ? `SET SESSION max_statement_time = ${timeoutMs / 1000}`
        : `SET SESSION max_execution_time = ${timeoutMs}`,
    );
    await run(connection, 'START TRANSACTION READ ONLY');
    const builder = new TableBuilder(limits);
    return await new Promise<QueryTable>((resolve, reject) => {
      let columns: string[] = [];
      let done = false;
      const query = connection.query({ sql: statement.sql, rowsAsArray: true, timeout: timeoutMs + 2_000 });
      query.on('fields', (fields: Array<{ name: string }> | undefined) => {
        columns = (fields ?? []).map((f) => f.name);
      });
      query.on('result', (row: unknown) => {
        if (done) return;
        if (!Array.isArray(row)) return; // an OK packet: no rows
        if (!builder.add(row)) {
          done = true;
          // Stop the server sending the rest: the connection goes, and with it the statement.
          connection.destroy();
          resolve(builder.table(columns));
        }
      });
      query.on('error', (error: unknown) => {
        if (!done) {
          done = true;
          reject(mysqlError(error, timeoutMs));
        }
      });
      query.on('end', () => {
        if (!done) {
          done = true;
          resolve(builder.table(columns));
        }
      });
    });
  } catch (error) {
    throw mysqlError(error, timeoutMs);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    connection.destroy();
  }
}

export async function readMysqlSchema(url: string): Promise<DatabaseSchema> {
  const { connection } = await connected(url);
  try {
    const rows = (await run(
      connection,
      `SELECT table_schema AS table_schema, table_name AS table_name, column_name AS column_name,
         column_type AS data_type, is_nullable AS is_nullable
       FROM information_schema.columns WHERE table_schema = DATABASE()
       ORDER BY table_schema, table_name, ordinal_position LIMIT ${MAX_TABLES * MAX_COLUMNS}`,
    )) as Array<{
      table_schema: string;
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>;
    return foldColumns(rows);
  } catch (error) {
    throw mysqlError(error, 0);
  } finally {
    connection.destroy();
  }
}
