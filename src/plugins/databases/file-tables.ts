import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { readWorkbook } from '../knowledge/parsers/xlsx.ts';
import { withScratchDuckDb } from '../knowledge/scratch-duckdb.ts';
import type { DatabaseLimits } from './database-source-repo.ts';
import { type QueryTable, TableBuilder } from './query-table.ts';
import { readOnlyStatement } from './read-only-sql.ts';

/**
 * Attached tables (CSV, TSV, XLSX, Parquet) queried with SQL in DuckDB, embedded and in memory, one instance per call:
 * each file (each sheet of a workbook) becomes a table, then the engine is shut off from the filesystem and
 * the network (`enable_external_access = false`, configuration locked) before the model's statement runs —
 * checked read-only first, under a timeout (the connection is interrupted), streamed to the row limit.
 */
export interface TableFile {
  name: string;
  /** Where it came from, as the listing says it (default: its name). */
  from?: string;
  mediaType: string;
  content: Uint8Array;
}

export interface FileTable {
  table: string;
  /** The attachment (and sheet) it came from. */
  from: string;
  columns: Array<{ name: string; type: string }>;
  rows: number;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PARQUET = 'application/vnd.apache.parquet';

/** `Sales 2026 (Q1).csv` → `sales_2026_q1`; unique among `taken`. */
export function tableName(base: string, taken: Set<string>): string {
  let name =
    base
      .replace(/\.[a-z0-9]+$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 48) || 'table';
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name}_${n}`;
  taken.add(unique);
  return unique;
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** A DuckDB value as JSON carries it: exact big numbers and decimals as text, dates as ISO text. */
function jsonValue(value: unknown): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  return String(value);
}

function duckError(error: unknown, timeoutMs: number, timedOut: boolean): AgentOsError {
  if (error instanceof AgentOsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (timedOut || /interrupt/i.test(message))
    return new AgentOsError(
      'database.timeout',
      `The query ran past its ${timeoutMs} ms limit and was stopped`,
    );
  if (/external access|disabled by configuration|Permission Error/i.test(message))
    return new AgentOsError('database.access_refused', `Only the attached tables can be read: ${message}`);
  return new AgentOsError('database.query_failed', message);
}

async function load(
  connection: DuckDBConnection,
  dir: string,
  files: readonly TableFile[],
): Promise<FileTable[]> {
  const taken = new Set<string>();
  const tables: FileTable[] = [];
  let n = 0;
  const loadFrom = async (reader: string, table: string, from: string) => {
    await connection.run(`CREATE TABLE "${table}" AS SELECT * FROM ${reader}`);
    const described = await connection.runAndReadAll(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
    );
    const count = await connection.runAndReadAll(`SELECT count(*) FROM "${table}"`);
    tables.push({
      table,
      from,
      columns: described.getRows().map(([name, type]) => ({ name: String(name), type: String(type) })),
      rows: Number(count.getRows()[0]?.[0] ?? 0),
    });
  };
  const loadCsv = (path: string, table: string, from: string, delimiter: string) =>
    loadFrom(
      `read_csv('${path}', header = true, delim = '${delimiter}', auto_detect = true, sample_size = -1)`,
      table,
      from,
    );
  for (const file of files) {
    try {
      if (file.mediaType === XLSX) {
        const sheets = (await readWorkbook(file.content)).filter((s) => s.rows.length > 0);
        for (const sheet of sheets) {
          const path = join(dir, `${n++}.csv`);
          await writeFile(path, sheet.rows.map((row) => row.map(csvField).join(',')).join('\n'));
          const base =
            sheets.length === 1 ? file.name : `${file.name.replace(/\.[a-z0-9]+$/i, '')}_${sheet.name}`;
          await loadCsv(path, tableName(base, taken), `${file.from ?? file.name} (sheet ${sheet.name})`, ',');
        }
      } else if (file.mediaType === PARQUET) {
        const path = join(dir, `${n++}.parquet`);
        await writeFile(path, file.content);
        await loadFrom(`read_parquet('${path}')`, tableName(file.name, taken), file.from ?? file.name);
      } else {
        const path = join(dir, `${n++}.csv`);
        await writeFile(path, file.content);
        await loadCsv(
          path,
          tableName(file.name, taken),
          file.from ?? file.name,
          file.mediaType === 'text/csv' ? ',' : '\\t',
        );
      }
    } catch (error) {
      throw new AgentOsError(
        'database.query_failed',
        `"${file.name}" could not be read as a table: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return tables;
}

/** The tables of `files`, and with `sql` its answer. */
export async function queryFileTables(
  files: readonly TableFile[],
  sql: string | undefined,
  limits: DatabaseLimits,
  signal?: AbortSignal,
): Promise<{ tables: FileTable[]; result?: QueryTable }> {
  const statement = sql === undefined ? undefined : readOnlyStatement(sql);
  return withScratchDuckDb({ threads: '2', memory_limit: '512MB' }, async (connection, dir) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, limits.statementTimeoutMs);
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const tables = await load(connection, dir, files);
      // From here on the engine reads nothing but the tables above: no files, no URLs, no settings changed.
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
      if (statement === undefined) return { tables };
      const builder = new TableBuilder(limits);
      const result = await connection.stream(statement.sql);
      const columns = result.columnNames();
      outer: for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        for (const row of chunk.getRows()) if (!builder.add(row.map(jsonValue))) break outer;
      }
      return { tables, result: builder.table(columns) };
    } catch (error) {
      throw duckError(error, limits.statementTimeoutMs, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  });
}
