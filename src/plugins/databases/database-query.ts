import type { DatabaseSchema } from './database-schema.ts';
import type { DatabaseKind, DatabaseLimits } from './database-source-repo.ts';
import { queryMysql, readMysqlSchema } from './mysql-source.ts';
import { queryPostgres, readPostgresSchema } from './postgres-source.ts';
import type { QueryTable } from './query-table.ts';
import { readOnlyStatement } from './read-only-sql.ts';

/** The one way SQL reaches a connected database: checked read-only first, then run under the source's limits. */
export function queryDatabase(
  source: { kind: DatabaseKind; url: string; limits: DatabaseLimits },
  sql: string,
  signal?: AbortSignal,
): Promise<QueryTable> {
  const statement = readOnlyStatement(sql);
  return source.kind === 'postgres'
    ? queryPostgres(source.url, statement, source.limits, signal)
    : queryMysql(source.url, statement, source.limits, signal);
}

export function readDatabaseSchema(source: { kind: DatabaseKind; url: string }): Promise<DatabaseSchema> {
  return source.kind === 'postgres' ? readPostgresSchema(source.url) : readMysqlSchema(source.url);
}
