import { storableJsonText } from './storable-text.ts';

/** The one query interface every repository is written against; PGlite and PostgreSQL both implement it. */
export type SqlParam =
  | string
  | number
  | boolean
  | null
  | Date
  | Uint8Array
  | readonly string[]
  | readonly number[];

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface SqlClient {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<Row>>;
  /** Runs several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
}

export type StoreKind = 'pglite' | 'postgres';

export interface Store extends SqlClient {
  readonly kind: StoreKind;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Serialises a value for a `$n::jsonb` parameter; both drivers receive the same text, with NULs and lone
 * surrogates (which jsonb refuses) replaced by U+FFFD.
 */
export function jsonParam(value: unknown): string {
  return storableJsonText(value);
}
