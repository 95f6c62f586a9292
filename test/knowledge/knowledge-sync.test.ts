import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import { parseDocument } from '../../src/plugins/knowledge/parse-document.ts';
import { parseSourceConfig, sourceKindOf } from '../../src/plugins/knowledge/source-kinds.ts';
import type { KnowledgeSource } from '../../src/plugins/knowledge/source-record.ts';
import { createSource, deleteSource, listDocuments } from '../../src/plugins/knowledge/source-repo.ts';
import { syncSource } from '../../src/plugins/knowledge/sync-engine.ts';
import { storeTargets } from '../support/test-stores.ts';
import { writeKnowledgeFolder } from './knowledge-fixtures.ts';

const actor = { type: 'system' as const, id: 'test' };

describe.each(storeTargets())('folder sync on $kind', (target) => {
  let store: Store;
  let dir: string;
  let folder: string;
  let source: KnowledgeSource;
  let parsedRefs: string[] = [];
  const parse = (mediaType: string, content: Uint8Array) => {
    parsedRefs.push(mediaType);
    return parseDocument(mediaType, content);
  };
  const sync = () => {
    parsedRefs = [];
    const connector = sourceKindOf('folder').connector(source.config, {
      store,
      workspaceId: source.workspaceId,
      version: 'test',
      home: dir,
    });
    return syncSource(store, source, { connector, actor, parse });
  };
  const documents = async () =>
    new Map((await listDocuments(store, source.id, { limit: 100 })).map((d) => [d.ref, d]));

  beforeAll(async () => {
    store = await target.open();
    dir = await mkdtemp(join(tmpdir(), 'agentos-knowledge-'));
    const outside = await mkdtemp(join(tmpdir(), 'agentos-outside-'));
    folder = await writeKnowledgeFolder(dir, outside);
    const workspace = await createWorkspace(store, `ws-${target.kind}`);
    source = await createSource(store, {
      workspaceId: workspace.id,
      spaceId: null,
      name: 'handbook',
      kind: 'folder',
      config: parseSourceConfig('folder', { path: folder }),
      scheduleMinutes: null,
      createdBy: null,
    });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes every supported file, reports the corrupt PDF and skips dot-dirs, other types and outside links', async () => {
    const result = await sync();
    expect(result.status).toBe('ok');
    expect(result.counts).toEqual({ added: 6, updated: 0, unchanged: 0, deleted: 0, failed: 1 });
    expect(result.parsed).toBe(7);
    const docs = await documents();
    expect([...docs.keys()].sort()).toEqual([
      'data/contacts.csv',
      'guide.md',
      'memo.docx',
      'notes/oncall.txt',
      'reports/broken.pdf',
      'reports/q3.pdf',
      'web/status.html',
    ]);
    expect(docs.get('reports/broken.pdf')).toMatchObject({ status: 'failed', chunks: 0 });
    expect(docs.get('reports/broken.pdf')?.error?.code).toBe('parse.pdf_invalid');
    expect(docs.get('guide.md')).toMatchObject({ status: 'ok', title: 'Deployment Guide', untrusted: true });
    expect(docs.get('web/status.html')?.title).toBe('Status Page Runbook');
    expect(docs.get('memo.docx')?.title).toBe('Travel Policy');
    expect(docs.get('reports/q3.pdf')?.title).toBe('q3');

    const { rows: sourceRow } = await store.query<{ status: string; last_counts: unknown }>(
      'SELECT status, last_counts FROM knowledge_sources WHERE id = $1',
      [source.id],
    );
    expect(sourceRow[0]).toMatchObject({ status: 'ok', last_counts: result.counts });

    const { rows: chunks } = await store.query<{ ref: string; section: string; text: string }>(
      `SELECT d.ref, c.section, c.text FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
       WHERE c.source_id = $1 ORDER BY d.ref, c.ordinal`,
      [source.id],
    );
    const linux = chunks.find((c) => c.ref === 'guide.md' && c.section.endsWith('Linux'));
    expect(linux?.section).toBe('Deployment Guide > Install > Linux');
    // The fenced block (with its blank line) stays whole, in the same chunk as its section's prose.
    expect(linux?.text).toContain(
      '```sh\ncurl -sSL https://get.example.com | sh -s -- --fleet\n\necho done\n```',
    );
    expect(chunks.find((c) => c.ref === 'data/contacts.csv')?.text).toContain(
      'team: search\nlead: Okafor, Chidi\nchannel: #search-ops',
    );
    const html = chunks
      .filter((c) => c.ref === 'web/status.html')
      .map((c) => c.text)
      .join('\n');
    expect(html).toContain('every 30 minutes');
    expect(html).toContain('"Investigating"');
    expect(html).not.toContain('ignore previous instructions');
    expect(chunks.find((c) => c.ref === 'reports/q3.pdf')?.text).toContain('zephyr plan grew by 12 percent');
    expect(chunks.find((c) => c.ref === 'memo.docx')).toMatchObject({
      section: 'Travel Policy',
      text: 'Economy class is required for flights shorter than six hours.',
    });
    expect(JSON.stringify(chunks)).not.toContain('outside secret');
    expect(JSON.stringify(chunks)).not.toContain('never indexed');
  });

  it('finds passages with their citations', async () => {
    const hits = await searchKnowledge(store, {
      query: 'fleet token vault',
      sourceIds: [source.id],
      limit: 3,
    });
    expect(hits[0]).toMatchObject({
      source: { name: 'handbook' },
      document: { title: 'Deployment Guide', location: join(folder, 'guide.md') },
      section: 'Deployment Guide > Install > Linux',
    });
    expect(hits[0]?.snippet).toContain('fleet token');
    const pdf = await searchKnowledge(store, { query: 'zephyr revenue', sourceIds: [source.id], limit: 3 });
    expect(pdf[0]?.document.title).toBe('q3');
    // A misspelling still finds the passage through trigram similarity.
    const typo = await searchKnowledge(store, { query: 'Whitfild', sourceIds: [source.id], limit: 3 });
    expect(typo[0]?.document.ref).toBe('data/contacts.csv');
    expect(await searchKnowledge(store, { query: 'fleet token', sourceIds: [], limit: 3 })).toEqual([]);
  });

  it('re-syncs incrementally: unchanged files are not parsed again, an edit updates, a deletion disappears', async () => {
    const again = await sync();
    expect(again.counts).toEqual({ added: 0, updated: 0, unchanged: 6, deleted: 0, failed: 1 });
    expect(again.parsed).toBe(0);
    expect(parsedRefs).toEqual([]);

    const before = await documents();
    await writeFile(
      join(folder, 'notes/oncall.txt'),
      'The on-call rotation changes every Tuesday at 10:00 UTC.\n\nEscalate sev-1 incidents within 10 minutes.',
    );
    await unlink(join(folder, 'web/status.html'));
    const result = await sync();
    expect(result.counts).toEqual({ added: 0, updated: 1, unchanged: 4, deleted: 1, failed: 1 });
    expect(parsedRefs).toEqual(['text/plain']);
    const after = await documents();
    expect(after.has('web/status.html')).toBe(false);
    expect(after.get('notes/oncall.txt')?.updatedAt.getTime()).toBeGreaterThan(
      before.get('notes/oncall.txt')!.updatedAt.getTime(),
    );
    for (const ref of ['guide.md', 'memo.docx', 'reports/q3.pdf', 'data/contacts.csv'])
      expect(after.get(ref)?.updatedAt.getTime()).toBe(before.get(ref)?.updatedAt.getTime());

    expect(
      await searchKnowledge(store, { query: 'status page outage', sourceIds: [source.id], limit: 5 }),
    ).toEqual(
      expect.not.arrayContaining([
        expect.objectContaining({ document: expect.objectContaining({ ref: 'web/status.html' }) }),
      ]),
    );
    const { rows } = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
       WHERE d.ref = 'web/status.html'`,
    );
    expect(rows[0]?.n).toBe(0);
    const tuesday = await searchKnowledge(store, {
      query: 'on-call rotation',
      sourceIds: [source.id],
      limit: 1,
    });
    expect(tuesday[0]?.text).toContain('Tuesday');
  });

  it('runs one sync at a time per source, and a listing that fails deletes nothing', async () => {
    // The slow sync holds its slot while its listing waits on `release`; the listing has started once `listing` resolves.
    let listingStarted: () => void = () => {};
    const listing = new Promise<void>((resolve) => {
      listingStarted = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = syncSource(store, source, {
      actor,
      connector: {
        async *list() {
          listingStarted();
          await released;
          yield* [];
          throw new Error('interrupted');
        },
      },
    });
    await listing;
    await expect(sync()).rejects.toMatchObject({ code: 'resource.conflict' });
    release();
    await slow;

    const failing = await syncSource(store, source, {
      actor,
      connector: {
        async *list() {
          yield* [];
          throw new Error('the folder went away');
        },
      },
    });
    expect(failing).toMatchObject({
      status: 'failed',
      error: { code: 'sync.failed', message: 'the folder went away' },
    });
    const { rows } = await store.query<{ status: string; last_error: { code: string } }>(
      'SELECT status, last_error FROM knowledge_sources WHERE id = $1',
      [source.id],
    );
    expect(rows[0]).toMatchObject({ status: 'failed', last_error: { code: 'sync.failed' } });
    expect((await documents()).size).toBe(6);
    const { rows: audit } = await store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'knowledge.sync' AND resource->>'id' = $1",
      [source.id],
    );
    expect(audit[0]?.n).toBeGreaterThanOrEqual(5);
  });

  it('a source deleted while a sync is running keeps nothing the sync wrote afterwards', async () => {
    const doomed = await createSource(store, {
      workspaceId: source.workspaceId,
      spaceId: null,
      name: 'doomed',
      kind: 'folder',
      config: parseSourceConfig('folder', { path: folder }),
      scheduleMinutes: null,
      createdBy: null,
    });
    const file = (ref: string) => ({
      kind: 'document' as const,
      ref,
      location: `/tmp/${ref}`,
      mediaType: 'text/markdown',
      content: new TextEncoder().encode(`# ${ref}\n\nText of ${ref}.`),
    });
    const result = await syncSource(store, doomed, {
      actor,
      connector: {
        async *list() {
          yield file('before.md');
          await deleteSource(store, doomed);
          yield file('after.md');
        },
      },
    });
    expect(result.counts.added).toBe(2);
    const { rows } = await store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM knowledge_documents WHERE source_id = $1',
      [doomed.id],
    );
    expect(rows[0]?.n).toBe(0);
  });
});
