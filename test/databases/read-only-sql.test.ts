import { describe, expect, it } from 'vitest';
import { readOnlyStatement } from '../../src/plugins/databases/read-only-sql.ts';

const refused = (sql: string) => {
  try {
    readOnlyStatement(sql);
  } catch (error) {
    return (error as { code: string; message: string }).code;
  }
  return 'accepted';
};

describe('readOnlyStatement', () => {
  it.each([
    ['SELECT 1', 'query'],
    ["  select * from orders where note = 'DROP TABLE x; DELETE';  ", 'query'],
    ['WITH t AS (SELECT 1 AS x) SELECT x FROM t', 'query'],
    ['SELECT "update" FROM t -- delete everything\n', 'query'],
    ['SELECT $$ insert $$ AS text', 'query'],
    ["SELECT comment, start, replace(name, 'a', 'b') FROM notes", 'query'],
    ['VALUES (1), (2)', 'query'],
    ['SHOW TABLES', 'meta'],
    ['EXPLAIN SELECT * FROM orders', 'meta'],
    ['DESCRIBE orders', 'meta'],
  ])('accepts %s as %s', (sql, kind) => {
    expect(readOnlyStatement(sql).kind).toBe(kind);
  });

  it.each([
    'DELETE FROM orders',
    'update orders set total = 0',
    'INSERT INTO t VALUES (1)',
    'DROP TABLE orders',
    'SET statement_timeout = 0',
    'BEGIN',
    'COMMIT',
    'CALL purge()',
    'GRANT SELECT ON t TO bob',
    'WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone',
    'SELECT * INTO backup FROM orders',
    "SELECT * FROM orders INTO OUTFILE '/tmp/x'",
    'SELECT * FROM orders FOR UPDATE',
    'SELECT * FROM orders FOR SHARE',
    'SELECT * FROM orders LOCK IN SHARE MODE',
    'SELECT 1; DELETE FROM orders',
    'SELECT 1 /*! ; DROP TABLE orders */',
    "SELECT 'unterminated",
    'EXPLAIN ANALYZE DELETE FROM orders',
    '',
    '   ;  ',
  ])('refuses %j before it reaches the database', (sql) => {
    expect(refused(sql)).toBe('database.write_refused');
  });

  it('names the word that was refused', () => {
    expect(() => readOnlyStatement('WITH x AS (UPDATE t SET a = 1) SELECT 1')).toThrow(
      /"UPDATE" can change data/,
    );
    expect(() => readOnlyStatement('TRUNCATE orders')).toThrow(/not "truncate"/);
  });
});
