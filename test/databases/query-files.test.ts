import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { queryFilesTool } from '../../src/plugins/databases/query-files-tool.ts';
import { uploadForm } from '../conversations/conversation-files-support.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { writeXlsx } from '../support/xlsx-writer.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PEOPLE = 'name,city\nAda,Lisbon\nGrace,Porto\n"Torvalds, Linus",Lisbon\n';

/** A real Parquet file, written by DuckDB from a query. */
async function parquetOf(query: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'parquet-fixture-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${query}) TO '${join(dir, 'f.parquet')}' (FORMAT parquet)`);
    return new Uint8Array(await readFile(join(dir, 'f.parquet')));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

describe.each(storeTargets())('query_files on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let conversationId: string;
  /** The SQL the scripted model sends next (undefined: list the tables). */
  let nextSql: string | undefined;

  /** Posts a message to the analyst in the conversation; returns what query_files answered, as the model read it. */
  const askText = async (sql: string | undefined) => {
    nextSql = sql;
    const first = model.requests.length;
    const posted = await h.api<{ replies: Array<{ status: string }> }>(
      'POST',
      `/api/conversations/${conversationId}/messages`,
      { content: 'What do the files say?', mentions: ['analyst'], wait: true, waitTimeoutMs: 30_000 },
    );
    expect(posted.status).toBe(200);
    expect(posted.body.replies[0]?.status).toBe('succeeded');
    const after = model.requests.slice(first).at(-1)!;
    const tool = after.body.messages.filter((m) => m.role === 'tool').at(-1);
    return String(tool?.content ?? '');
  };
  const ask = async (sql: string | undefined) => {
    const text = await askText(sql);
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    model.setHandler((request) => {
      if (request.body.messages.some((m) => m.role === 'tool')) return { text: 'Here is what I found.' };
      if (request.body.tools?.some((t) => t.function.name === 'query_files'))
        return {
          kind: 'tool_calls',
          toolCalls: [{ name: 'query_files', arguments: nextSql === undefined ? {} : { sql: nextSql } }],
        };
      return { text: 'ok' };
    });
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([queryFilesTool(store)]),
    });
    await h.createAgent({ name: 'analyst', instructions: 'You read tables.', tools: ['query_files'] });
    conversationId = (
      await h.api<{ conversation: { id: string } }>('POST', '/api/conversations', { title: 'Sales' })
    ).body.conversation.id;
    const workbook = await writeXlsx([
      {
        name: 'Orders',
        rows: [
          ['city', 'total', 'paid'],
          ['Lisbon', 120.5, true],
          ['Porto', 99.9, false],
          ['Lisbon', 40, true],
        ],
      },
      {
        name: 'Cities',
        rows: [
          ['city', 'country'],
          ['Lisbon', 'PT'],
          ['Porto', 'PT'],
        ],
      },
    ]);
    const uploaded = await uploadForm(h.url, h.key, conversationId, [
      { name: 'people.csv', type: 'text/csv', content: PEOPLE },
      { name: 'Sales 2026.xlsx', type: XLSX, content: workbook },
      {
        name: 'visits.parquet',
        type: 'application/octet-stream',
        content: await parquetOf("SELECT * FROM (VALUES ('Lisbon', 12), ('Porto', 5)) AS v(city, visits)"),
      },
    ]);
    expect(uploaded.status).toBe(201);
    // The workbook is also a searchable document: one heading per sheet, a paragraph per row.
    expect(uploaded.body.attachments.map((a) => [a.name, a.status])).toEqual([
      ['people.csv', 'ok'],
      ['Sales 2026.xlsx', 'ok'],
      ['visits.parquet', 'ok'],
    ]);
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('lists a table per CSV and per sheet, with columns the engine inferred', async () => {
    const listed = await ask(undefined);
    expect(listed.tables).toEqual([
      {
        table: 'people',
        from: 'people.csv',
        columns: [
          { name: 'name', type: 'VARCHAR' },
          { name: 'city', type: 'VARCHAR' },
        ],
        rows: 3,
      },
      {
        table: 'sales_2026_orders',
        from: 'Sales 2026.xlsx (sheet Orders)',
        columns: [
          { name: 'city', type: 'VARCHAR' },
          { name: 'total', type: 'DOUBLE' },
          { name: 'paid', type: 'BOOLEAN' },
        ],
        rows: 3,
      },
      {
        table: 'sales_2026_cities',
        from: 'Sales 2026.xlsx (sheet Cities)',
        columns: [
          { name: 'city', type: 'VARCHAR' },
          { name: 'country', type: 'VARCHAR' },
        ],
        rows: 2,
      },
      {
        table: 'visits',
        from: 'visits.parquet',
        columns: [
          { name: 'city', type: 'VARCHAR' },
          { name: 'visits', type: 'INTEGER' },
        ],
        rows: 2,
      },
    ]);
  });

  it('joins a Parquet file with a sheet', async () => {
    expect(
      await ask(
        'SELECT v.city, v.visits, c.country FROM visits v JOIN sales_2026_cities c USING (city) ORDER BY v.visits DESC',
      ),
    ).toMatchObject({
      rows: [
        ['Lisbon', 12, 'PT'],
        ['Porto', 5, 'PT'],
      ],
      rowCount: 2,
    });
  });

  it('answers from a join of the CSV with the workbook', async () => {
    const answer = await ask(
      'SELECT p.name, sum(o.total) AS spent FROM people p JOIN sales_2026_orders o USING (city) WHERE o.paid GROUP BY p.name ORDER BY p.name',
    );
    expect(answer).toMatchObject({
      columns: ['name', 'spent'],
      rows: [
        ['Ada', 160.5],
        ['Torvalds, Linus', 160.5],
      ],
      rowCount: 2,
      truncated: false,
    });
  });

  it('reads nothing but the attached tables, refuses writes, and cuts 10 million rows at the limit', async () => {
    const outside = await askText("SELECT * FROM read_csv('/etc/passwd')");
    expect(outside).toContain('Only the attached tables can be read');
    expect(outside).not.toContain('root:');
    expect(await askText("COPY people TO '/tmp/people.csv'")).toContain('Only read-only statements run here');
    expect(await ask('SELECT * FROM range(10000000) AS r(n)')).toMatchObject({
      rowCount: 1_000,
      truncated: true,
      truncatedBy: 'rows',
    });
  });

  it('finds no tables for a run outside a conversation', async () => {
    nextSql = 'SELECT 1';
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'analyst',
      task: 'Query the files',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    expect(body.run.status).toBe('succeeded');
    const tool = model.requests
      .at(-1)!
      .body.messages.filter((m) => m.role === 'tool')
      .at(-1);
    expect(String(tool?.content)).toContain(
      'No CSV, TSV, XLSX or Parquet file is attached to this conversation or in a knowledge source you may search.',
    );
  });

  it('queries the table files of the knowledge sources the agent may search, as re-synced', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agentos-table-source-'));
    try {
      await writeFile(join(folder, 'budget.csv'), 'region,revenue\nnorth,1200\nsouth,900\n');
      expect(
        (await h.api('POST', '/api/sources', { name: 'finance', kind: 'folder', config: { path: folder } }))
          .status,
      ).toBe(201);
      expect((await h.api('POST', '/api/sources/finance/sync', {})).status).toBe(200);
      await h.createAgent({ name: 'planner', tools: ['query_files'], knowledge: ['finance'] });
      const viaRun = async (sql: string) => {
        nextSql = sql;
        const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
          agent: 'planner',
          task: 'Read the budget',
          wait: true,
          waitTimeoutMs: 20_000,
        });
        expect(body.run.status).toBe('succeeded');
        const text = String(
          model.requests
            .at(-1)!
            .body.messages.filter((m) => m.role === 'tool')
            .at(-1)?.content,
        );
        return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<
          string,
          unknown
        >;
      };
      expect(await viaRun('SELECT region, revenue FROM budget ORDER BY revenue DESC')).toMatchObject({
        tables: ['budget'],
        rows: [
          ['north', 1200],
          ['south', 900],
        ],
      });
      await writeFile(join(folder, 'budget.csv'), 'region,revenue\nnorth,1300\nsouth,900\neast,50\n');
      expect((await h.api('POST', '/api/sources/finance/sync', {})).status).toBe(200);
      expect(await viaRun('SELECT sum(revenue) AS total, count(*) AS regions FROM budget')).toMatchObject({
        rows: [[2250, 3]],
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
