import { afterAll, describe, expect, it } from 'vitest';
import { type FixtureShop, mariadbShop } from '../databases/database-fixtures.ts';
import { cliAgainst, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

interface DatabaseJson {
  id: string;
  name: string;
  kind: string;
  shownUrl: string;
  trustedOutput: boolean;
  limits: { statementTimeoutMs: number; maxRows: number };
  schema: { tables: Array<{ name: string }> } | null;
}

let shop: FixtureShop | undefined;
afterAll(async () => {
  await shop?.drop();
});

// One store: the CLI only speaks HTTP, and the routes' behaviour on both stores is test/databases's.
describe('agentos databases add, list, show, query, label and remove', () => {
  let server: ServedForTest;
  let cwd: string;
  const { agentos, json } = cliAgainst(
    () => server,
    () => cwd,
  );

  it('connects a real MariaDB, queries it as agents would, labels and removes it', async () => {
    shop = await mariadbShop();
    cwd = tempHome();
    server = await startServeForTest(cwd, {});
    try {
      const added = await json<{ database: DatabaseJson }>([
        'databases',
        'add',
        'shop',
        shop.readerUrl,
        '--description',
        'Customers and orders',
        '--timeout-ms',
        '1500',
      ]);
      expect(added.database).toMatchObject({
        name: 'shop',
        kind: 'mysql',
        limits: { statementTimeoutMs: 1500 },
      });
      expect(added.database.shownUrl).toContain(':***@');
      expect(JSON.stringify(added)).not.toContain('reader-secret');
      expect(added.database.schema?.tables.map((t) => t.name)).toEqual(['customers', 'numbers', 'orders']);

      const listed = await agentos(['databases', 'list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(
        /^shop\s+mysql\s+mysql:\/\/reader_[0-9a-f]+:\*\*\*@.*\s+3\s+untrusted\s+dbs_/m,
      );

      const answered = await agentos([
        'databases',
        'query',
        'shop',
        'SELECT c.name, SUM(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY spent DESC',
      ]);
      expect(answered.code).toBe(0);
      expect(answered.stdout).toMatch(/^name\s+spent$/m);
      expect(answered.stdout).toMatch(/^Ada\s+150\.50$/m);
      expect(answered.stdout).toMatch(/^3 rows in \d+ ms$/m);

      const refused = await agentos(['databases', 'query', 'shop', 'DELETE FROM orders']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/database\.write_refused/);
      const badFlag = await agentos(['databases', 'label', 'shop', '--max-rows', 'lots']);
      expect(badFlag.code).toBe(2);
      expect(badFlag.stderr).toMatch(/request\.invalid.*--max-rows must be a whole number/);

      const labelled = await json<{ database: DatabaseJson }>([
        'databases',
        'label',
        'shop',
        '--trusted',
        '--max-rows',
        '50',
      ]);
      expect(labelled.database).toMatchObject({
        trustedOutput: true,
        limits: { maxRows: 50, statementTimeoutMs: 1500 },
      });

      const removed = await json<{ database: DatabaseJson }>(['databases', 'remove', 'shop']);
      expect(removed.database.name).toBe('shop');
      expect((await json<{ databases: unknown[] }>(['databases', 'list'])).databases).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 300_000);
});
