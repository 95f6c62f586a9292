import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'ws'
  | 'usr'
  | 'spc'
  | 'grp'
  | 'key'
  | 'agt'
  | 'run'
  | 'plan'
  | 'stp'
  | 'evt'
  | 'mcp'
  | 'ses'
  | 'src'
  | 'doc'
  | 'skl'
  | 'evr'
  | 'esc'
  | 'cnv'
  | 'msg'
  | 'fil'
  | 'dbs';

/** Sortable-enough, URL-safe identifiers with a type prefix (`run_…`), so a stray id names its kind. */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(10).toString('hex')}`;
}
