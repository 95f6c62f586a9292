import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { loadSecretBox } from '../../src/core/secrets/secret-box.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { databaseTools } from '../../src/plugins/databases/database-tools.ts';
import { queryMysql } from '../../src/plugins/databases/mysql-source.ts';
import { queryPostgres } from '../../src/plugins/databases/postgres-source.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { type FixtureShop, mariadbShop, postgresShop } from './database-fixtures.ts';

interface Table {
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  truncatedBy?: string;
}

const JOIN =
  'SELECT c.name, SUM(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id ' +
  "WHERE c.city = 'Lisbon' GROUP BY c.name ORDER BY spent DESC";

describe.each(storeTargets())('query_database on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let pgShop: FixtureShop;
  let myShop: FixtureShop;
  const lastToolResult = () =>
    String(
      model.requests
        .at(-1)
        ?.body.messages.filter((m) => m.role === 'tool')
        .at(-1)?.content,
    );
  const run = async (task: string, agent = 'analyst') =>
    (await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent, task, wait: true, waitTimeoutMs: 30_000 }))
      .body.run;

  beforeAll(async () => {
    [pgShop, myShop] = await Promise.all([postgresShop(), mariadbShop()]);
    model = await startScriptedModelServer();
    const store = await target.open();
    // The product's own tools, with the secret box of the harness's home (opened when first queried).
    const tools = new ToolRegistry(databaseTools(store, () => loadSecretBox(h.agentOs.kernel.config.home)));
    h = await startKernelHarness({ store, modelBaseUrl: model.url, tools });
    await h.createAgent({
      name: 'analyst',
      instructions: 'You answer questions from the shop database.',
      tools: ['describe_databases', 'query_database'],
      databases: ['shop', 'shop_maria'],
    });
    await h.createAgent({ name: 'outsider', tools: ['query_database'] });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
    await Promise.all([pgShop.drop(), myShop.drop()]);
  });

  it('connects a database: the schema is read, the password never comes back, bad input stores nothing', async () => {
    const created = await h.api<{ database: Record<string, unknown> }>('POST', '/api/databases', {
      name: 'shop',
      url: pgShop.readerUrl,
      description: 'Customers and their orders',
      limits: { statementTimeoutMs: 1_000, maxRows: 1_000 },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('reader-secret');
    expect(created.body.database).toMatchObject({
      kind: 'postgres',
      shownUrl: expect.stringContaining(':***@'),
    });
    const tables = (created.body.database.schema as { tables: Array<{ name: string; columns: unknown[] }> })
      .tables;
    expect(tables.map((t) => t.name)).toEqual(['customers', 'numbers', 'orders']);
    expect(tables[0]?.columns).toContainEqual({ name: 'city', type: 'text', nullable: false });

    const maria = await h.api<{ database: { kind: string } }>('POST', '/api/databases', {
      name: 'shop_maria',
      url: myShop.readerUrl,
      limits: { statementTimeoutMs: 1_000, maxRows: 1_000 },
    });
    expect(maria.status).toBe(201);
    expect(maria.body.database.kind).toBe('mysql');

    const before = (await h.api<{ databases: unknown[] }>('GET', '/api/databases')).body.databases.length;
    const wrongScheme = await h.api<{ error: { code: string; message: string } }>('POST', '/api/databases', {
      name: 'ftp',
      url: 'ftp://x/y',
    });
    expect(wrongScheme.status).toBe(400);
    expect(wrongScheme.body.error.code).toBe('request.invalid');
    const unreachable = await h.api<{ error: { code: string } }>('POST', '/api/databases', {
      name: 'gone',
      url: 'postgres://reader:pw@127.0.0.1:1/nothing',
    });
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.error.code).toBe('database.unreachable');
    const duplicate = await h.api<{ error: { code: string } }>('POST', '/api/databases', {
      name: 'shop',
      url: pgShop.readerUrl,
    });
    expect(duplicate.status).toBe(409);
    expect((await h.api<{ databases: unknown[] }>('GET', '/api/databases')).body.databases).toHaveLength(
      before,
    );
  });

  it('answers a question from a join, on PostgreSQL and on MariaDB', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'describe_databases', arguments: {} }] },
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'query_database', arguments: { database: 'shop', sql: JOIN } }],
      },
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'query_database', arguments: { database: 'shop_maria', sql: JOIN } }],
      },
      { text: 'Ada spent 150.50, Linus 10.00.' },
    );
    const done = await run('Who in Lisbon spent the most?');
    expect(done).toMatchObject({ status: 'succeeded', output: { text: 'Ada spent 150.50, Linus 10.00.' } });
    const results = model.requests
      .at(-1)!
      .body.messages.filter((m) => m.role === 'tool')
      .map((m) => String(m.content));
    expect(results[0]).toContain('"customers"');
    expect(results[0]).toContain('MySQL/MariaDB');
    for (const result of results.slice(1)) {
      expect(result).toContain('"columns":["name","spent"]');
      expect(result).toContain('["Ada","150.50"]');
      expect(result).toContain('["Linus","10.00"]');
      expect(result).not.toContain('Grace');
    }
  });

  it('refuses a write at the tool, before the database sees it, and the rows stay', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'query_database', arguments: { database: 'shop', sql: 'DELETE FROM orders' } }],
      },
      {
        kind: 'tool_calls',
        toolCalls: [
          {
            name: 'query_database',
            arguments: { database: 'shop_maria', sql: 'WITH x AS (SELECT 1) UPDATE orders SET total = 0' },
          },
        ],
      },
      { text: 'I may not change data.' },
    );
    expect((await run('Delete all orders')).status).toBe('succeeded');
    const results = model.requests
      .at(-1)!
      .body.messages.filter((m) => m.role === 'tool')
      .map((m) => String(m.content));
    expect(results[0]).toContain(
      'Only read-only statements run here (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN, DESCRIBE), not "delete"',
    );
    expect(results[1]).toContain('"UPDATE" can change data or state');
    const count = await h.api<Table>('POST', `/api/databases/shop/query`, {
      sql: 'SELECT COUNT(*) FROM orders',
    });
    expect(count.body.rows).toEqual([['4']]);
    const mcount = await h.api<Table>('POST', `/api/databases/shop_maria/query`, {
      sql: 'SELECT SUM(total) FROM orders',
    });
    expect(mcount.body.rows).toEqual([['260.40']]);
  });

  it('is refused by the database too: a read-only transaction and a role that may only read', async () => {
    const limits = { statementTimeoutMs: 1_000, maxRows: 10, maxResultBytes: 10_000 };
    // Past the SQL check (as if it had a hole): the read-only transaction refuses.
    await expect(
      queryPostgres(pgShop.readerUrl, { sql: 'DELETE FROM orders', kind: 'meta' }, limits),
    ).rejects.toMatchObject({ code: 'database.write_refused' });
    // And the role refuses outside any transaction of ours.
    const client = new pg.Client({ connectionString: pgShop.readerUrl });
    await client.connect();
    await expect(
      client.query('INSERT INTO customers VALUES (9, $1, $2)', ['Eve', 'Faro']),
    ).rejects.toMatchObject({
      code: '42501',
    });
    await client.end();
    // The same on MariaDB: the read-only transaction, then the role on its own.
    await expect(
      queryMysql(myShop.readerUrl, { sql: 'DELETE FROM orders', kind: 'meta' }, limits),
    ).rejects.toMatchObject({ code: 'database.write_refused' });
    const maria = await mysql.createConnection({ uri: myShop.readerUrl });
    await expect(maria.query("INSERT INTO customers VALUES (9, 'Eve', 'Faro')")).rejects.toMatchObject({
      errno: 1142,
    });
    await maria.end();
  });

  it('stops a query past its statement timeout with a clear error', async () => {
    const pgSlow = await h.api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/databases/shop/query',
      {
        sql: 'SELECT pg_sleep(5)',
      },
    );
    expect(pgSlow.status).toBe(504);
    expect(pgSlow.body.error).toEqual({
      code: 'database.timeout',
      message: 'The query ran past its 1000 ms limit and was stopped',
    });
    const started = Date.now();
    const mySlow = await h.api<{ error: { code: string } }>('POST', '/api/databases/shop_maria/query', {
      sql: 'SELECT SLEEP(5)',
    });
    expect(mySlow.body.error.code).toBe('database.timeout');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('cuts a scan of 10 million rows at the row limit', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          {
            name: 'query_database',
            arguments: {
              database: 'shop',
              sql: "SELECT a.n AS a, b.n AS b, repeat('x', 40) AS pad FROM numbers a CROSS JOIN numbers b",
            },
          },
        ],
      },
      { text: 'Too many rows; here are the first thousand.' },
    );
    expect((await run('List every pair of numbers')).status).toBe('succeeded');
    // 1,000 rows of JSON pass the model's 16 KB output budget: the kernel keeps the table as an artefact.
    const seen = lastToolResult();
    expect(seen).toMatch(/artefact/i);
    expect(seen.length).toBeLessThan(16_000);
    const artefactId = /(art_[0-9a-z]+)/.exec(seen)?.[1];
    expect(artefactId).toBeDefined();
    const artefact = await h.api<{ artefact: { tool: string; content: Table } }>(
      'GET',
      `/api/artefacts/${artefactId}`,
    );
    expect(artefact.body.artefact.tool).toBe('query_database');
    const kept = artefact.body.artefact.content;
    expect(kept).toMatchObject({ rowCount: 1_000, truncated: true, truncatedBy: 'rows' });
    expect(kept.rows[999]).toEqual([1, 1_000, 'x'.repeat(40)]);
    const maria = await h.api<Table>('POST', '/api/databases/shop_maria/query', {
      sql: 'SELECT a.n, b.n AS m FROM numbers a CROSS JOIN numbers b',
    });
    expect(maria.body).toMatchObject({ rowCount: 1_000, truncated: true, truncatedBy: 'rows' });
    const pgDirect = await h.api<Table>('POST', '/api/databases/shop/query', {
      sql: 'SELECT a.n, b.n AS m FROM numbers a CROSS JOIN numbers b',
    });
    expect(pgDirect.body).toMatchObject({ rowCount: 1_000, truncated: true, truncatedBy: 'rows' });
  });

  it('lets only agents granted a database query it', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'query_database', arguments: { database: 'shop', sql: 'SELECT 1' } }],
      },
      { text: 'I cannot.' },
    );
    expect((await run('Count the orders', 'outsider')).status).toBe('succeeded');
    expect(lastToolResult()).toContain('No database "shop" you may query');
    expect(lastToolResult()).not.toContain('"rows"');
  });

  it('lets a run query only the databases its user sees: one in a restricted space is not there for others', async () => {
    expect((await h.api('POST', '/api/spaces', { name: 'finance', visibility: 'restricted' })).status).toBe(
      201,
    );
    const ledger = await h.api('POST', '/api/databases', {
      name: 'ledger',
      url: pgShop.readerUrl,
      space: 'finance',
    });
    expect(ledger.status).toBe(201);
    await h.createAgent({ name: 'bookkeeper', tools: ['query_database'], databases: ['ledger'] });
    const bob = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'bob@example.com',
      name: 'bob',
      role: 'user',
    });
    const ask = async (key: string) => {
      model.enqueue(
        {
          kind: 'tool_calls',
          toolCalls: [
            {
              name: 'query_database',
              arguments: { database: 'ledger', sql: 'SELECT count(*) AS n FROM orders' },
            },
          ],
        },
        { text: 'Counted.' },
      );
      const response = await fetch(`${h.url}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          agent: 'bookkeeper',
          task: 'Count the orders',
          wait: true,
          waitTimeoutMs: 30_000,
        }),
      });
      expect(response.status).toBe(200);
      return lastToolResult();
    };
    // Bob is not in the space: the database does not exist for his runs.
    expect(await ask(bob.key)).toContain('No database "ledger" you may query');
    expect((await h.api('POST', '/api/spaces/finance/members', { userId: bob.id })).status).toBe(201);
    expect(await ask(bob.key)).toContain('"rows":[["4"]]');
  });

  it('taints the run: rows are content from outside', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'query_database', arguments: { database: 'shop', sql: 'SELECT name FROM customers' } },
        ],
      },
      { text: 'Ada, Grace, Linus.' },
    );
    const done = await run('Name the customers');
    const { rows } = await h.agentOs.store.query<{ kind: string; result: unknown }>(
      "SELECT kind, result FROM run_steps WHERE run_id = $1 AND kind = 'tool' ORDER BY turn, call_index",
      [done.id],
    );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0]?.result)).toContain('Grace');
    expect(done.output).toMatchObject({ tainted: true });
  });

  it('does not taint a run with the rows of a database an admin labelled trusted', async () => {
    const labelled = await h.api<{ database: { trustedOutput: boolean } }>('PATCH', '/api/databases/shop', {
      trustedOutput: true,
    });
    expect(labelled.body.database.trustedOutput).toBe(true);
    const ask = async () => {
      model.enqueue(
        {
          kind: 'tool_calls',
          toolCalls: [
            { name: 'query_database', arguments: { database: 'shop', sql: 'SELECT name FROM customers' } },
          ],
        },
        { text: 'Ada, Grace, Linus.' },
      );
      return run('Name the customers');
    };
    const trusted = await ask();
    expect(trusted.status).toBe('succeeded');
    expect(trusted.output).not.toHaveProperty('tainted');
    // Not wrapped as outside content for the model either.
    expect(lastToolResult()).not.toContain('untrusted_tool_output');
    const bad = await h.api<{ error: { code: string } }>('PATCH', '/api/databases/shop', {});
    expect(bad.status).toBe(400);
    // A limit left out keeps its value: only maxRows changes here.
    const fewer = await h.api<{ database: { limits: Record<string, number> } }>(
      'PATCH',
      '/api/databases/shop',
      {
        limits: { maxRows: 500 },
      },
    );
    expect(fewer.body.database.limits).toEqual({
      statementTimeoutMs: 1_000,
      maxRows: 500,
      maxResultBytes: 1_048_576,
    });
    await h.api('PATCH', '/api/databases/shop', { limits: { maxRows: 1_000 } });
    await h.api('PATCH', '/api/databases/shop', { trustedOutput: false });
    expect((await ask()).output).toMatchObject({ tainted: true });
  });
});
