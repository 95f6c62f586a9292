import type { DatabaseLimits } from './database-source-repo.ts';

/** A query's answer as the model reads it: column names, rows as arrays, and whether rows were cut. */
export interface QueryTable {
  columns: string[];
  rows: unknown[][];
  /** Rows returned (at most `maxRows`). */
  rowCount: number;
  /** More rows were there: cut at the row limit or the size limit. */
  truncated: boolean;
  truncatedBy?: 'rows' | 'bytes';
  elapsedMs: number;
}

/** A cell as JSON can carry it: dates as ISO text, big integers and bytes as text. */
export function cell(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value))
    return `\\x${value.subarray(0, 64).toString('hex')}${value.length > 64 ? '…' : ''}`;
  return value;
}

/**
 * Collects rows under the limits: `add` answers false once the table is full (one row more than `maxRows` was
 * offered, or the JSON would pass `maxResultBytes`), so the caller stops reading.
 */
export class TableBuilder {
  readonly #limits: DatabaseLimits;
  readonly #started = Date.now();
  readonly rows: unknown[][] = [];
  #bytes = 0;
  #cut: 'rows' | 'bytes' | undefined;

  constructor(limits: DatabaseLimits) {
    this.#limits = limits;
  }

  add(row: readonly unknown[]): boolean {
    if (this.#cut !== undefined) return false;
    if (this.rows.length === this.#limits.maxRows) {
      this.#cut = 'rows';
      return false;
    }
    const values = row.map(cell);
    const size = JSON.stringify(values).length + 1;
    if (this.#bytes + size > this.#limits.maxResultBytes) {
      this.#cut = 'bytes';
      return false;
    }
    this.#bytes += size;
    this.rows.push(values);
    return true;
  }

  table(columns: string[]): QueryTable {
    return {
      columns,
      rows: this.rows,
      rowCount: this.rows.length,
      truncated: this.#cut !== undefined,
      ...(this.#cut === undefined ? {} : { truncatedBy: this.#cut }),
      elapsedMs: Date.now() - this.#started,
    };
  }
}
