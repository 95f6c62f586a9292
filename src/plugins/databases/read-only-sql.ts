import { AgentOsError } from '../../core/errors/agent-os-error.ts';

/**
 * The first of two locks on `query_database`: a statement that could write is refused before it reaches
 * the database. The second is the database's own (a read-only transaction under a role that may only read).
 * The check reads the SQL as a lexer would — string literals, quoted identifiers and comments are not
 * words — so `SELECT 'DROP TABLE x'` passes and `SELECT 1; DELETE FROM t` does not.
 */

/** How a statement may start: a query, or a question about the schema or a plan. */
const STARTS = new Set(['select', 'with', 'values', 'table', 'show', 'explain', 'describe', 'desc']);

/**
 * Words that make a statement that starts like a query write: a data-changing CTE (`WITH x AS (DELETE …)`),
 * `SELECT … INTO` a new table or a file, `EXPLAIN CREATE TABLE … AS`, row locks. Statements that start with
 * any other verb are refused by `STARTS`, so column names such as `comment` or `start` stay usable.
 */
const WRITES = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'upsert',
  'create',
  'drop',
  'alter',
  'truncate',
  'grant',
  'revoke',
  'copy',
  'into',
  'outfile',
  'dumpfile',
  'lock',
]);

export type SqlKind = 'query' | 'meta';

export interface ReadOnlyStatement {
  /** The statement without a trailing semicolon. */
  sql: string;
  /** `query` (SELECT, WITH, VALUES, TABLE): rows can be limited by wrapping; `meta` (SHOW, EXPLAIN, DESCRIBE). */
  kind: SqlKind;
}

const refuse = (message: string, word?: string): never => {
  throw new AgentOsError('database.write_refused', message, word === undefined ? undefined : { word });
};

/** The words of `sql` outside literals and comments, lower-cased, and whether a `;` ends a statement before the end. */
function words(sql: string): { words: string[]; innerSemicolon: boolean } {
  const out: string[] = [];
  let innerSemicolon = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (ch === '#') {
      // MySQL's line comment; PostgreSQL has no `#` operator outside expressions an agent would need.
      while (i < n && sql[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      // MySQL runs `/*! … */` as code: refuse rather than guess.
      if (sql[i + 2] === '!') refuse('Executable comments (/*! … */) are not allowed');
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) refuse('An unterminated comment');
      i = end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= n) refuse('An unterminated quoted string or identifier');
        if (sql[j] === '\\' && ch === "'") j += 2;
        else if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      i = j + 1;
    } else if (ch === '$') {
      // PostgreSQL dollar quoting: $$…$$ or $tag$…$tag$; a `$1` parameter is not a quote.
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag === undefined) {
        i++;
      } else {
        const end = sql.indexOf(tag, i + tag.length);
        if (end === -1) refuse('An unterminated dollar-quoted string');
        i = end + tag.length;
      }
    } else if (ch === ';') {
      if (sql.slice(i + 1).trim() !== '') innerSemicolon = true;
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push(sql.slice(i, j).toLowerCase());
      i = j;
    } else {
      i++;
    }
  }
  return { words: out, innerSemicolon };
}

/** One read-only statement, or `database.write_refused` saying why not. */
export function readOnlyStatement(sql: string): ReadOnlyStatement {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  if (trimmed === '') refuse('The SQL is empty');
  const lexed = words(trimmed);
  if (lexed.innerSemicolon) refuse('Send one statement at a time (no ";" between statements)');
  const first = lexed.words[0];
  if (first === undefined || !STARTS.has(first))
    refuse(
      `Only read-only statements run here (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN, DESCRIBE), not "${first ?? trimmed.slice(0, 20)}"`,
      first,
    );
  const write = lexed.words.find((word) => WRITES.has(word));
  if (write !== undefined)
    refuse(`"${write.toUpperCase()}" can change data or state; only read-only statements run here`, write);
  // `SELECT … FOR UPDATE / FOR SHARE` takes locks; `EXPLAIN ANALYZE` runs the statement (ANALYZE is refused above).
  for (let k = 0; k + 1 < lexed.words.length; k++) {
    if (lexed.words[k] === 'for' && ['update', 'share', 'no', 'key'].includes(lexed.words[k + 1]!))
      refuse('Row locks (FOR UPDATE, FOR SHARE) are not allowed', 'for');
  }
  const kind: SqlKind = ['select', 'with', 'values', 'table'].includes(first!) ? 'query' : 'meta';
  return { sql: trimmed, kind };
}
