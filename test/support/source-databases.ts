// Real databases for the `query_database` tests: the PostgreSQL the suite already uses (or the local one) and
// the local MariaDB. Each test makes its own fixture schema and a role that may only read it.
import mysql from 'mysql2/promise';
import pg from 'pg';

export const SOURCE_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SOURCE_MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Runs admin SQL on the PostgreSQL server (one statement list, in order). */
export async function postgresAdmin(statements: readonly string[], url = SOURCE_POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function mariadbAdmin(statements: readonly string[], url = SOURCE_MARIADB_URL): Promise<void> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: false });
  try {
    for (const sql of statements) await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/** The URL with another user, password and database. */
export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  if (database !== undefined) parsed.pathname = `/${database}`;
  return parsed.toString();
}
