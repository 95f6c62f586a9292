import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { findUnstorableText } from '../../src/core/store/storable-text.ts';
import type { Connector, ConnectorItem } from '../../src/plugins/knowledge/connector.ts';
import { MAX_REF_BYTES } from '../../src/plugins/knowledge/document-ref.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import { parseSourceConfig, sourceKindOf } from '../../src/plugins/knowledge/source-kinds.ts';
import type { KnowledgeSource } from '../../src/plugins/knowledge/source-record.ts';
import { createSource, listDocuments } from '../../src/plugins/knowledge/source-repo.ts';
import { syncSource } from '../../src/plugins/knowledge/sync-engine.ts';
import { storeTargets } from '../support/test-stores.ts';

const actor = { type: 'system' as const, id: 'test' };
const NUL = '\u0000';
const encode = (text: string) => new TextEncoder().encode(text);

/** Items as an MCP server or a site might list them: odd characters in refs and titles, a very long URI. */
// (Content with a NUL near its start is refused as binary by the parser, so it has none here.)
const longRef = `mcp://notes/${'segment/'.repeat(1_000)}end`;
const oddItems: ConnectorItem[] = [
  {
    kind: 'document',
    ref: `mcp://notes/a${NUL}b\uD800`,
    title: `Odd${NUL} title\uDC00`,
    location: `mcp://notes/a${NUL}b`,
    mediaType: 'text/plain',
    content: encode('A note about the quasar beacon.'),
  },
  {
    kind: 'document',
    ref: longRef,
    location: longRef,
    mediaType: 'text/plain',
    content: encode('The long one.'),
  },
  {
    kind: 'failure',
    ref: `mcp://notes/gone${NUL}`,
    location: 'mcp://notes/gone',
    code: 'resource.read_failed',
    message: `no${NUL}`,
  },
];
const oddConnector: Connector = {
  async *list() {
    yield* oddItems;
  },
};

describe.each(storeTargets())('documents holding NULs and lone surrogates on $kind', (target) => {
  let store: Store;
  let dir: string;
  let workspaceId: string;
  const newSource = (name: string, kind: 'folder', config: unknown) =>
    createSource(store, {
      workspaceId,
      spaceId: null,
      name,
      kind,
      config: parseSourceConfig(kind, config),
      scheduleMinutes: null,
      createdBy: null,
    });

  beforeAll(async () => {
    store = await target.open();
    dir = await mkdtemp(join(tmpdir(), 'agentos-unstorable-'));
    workspaceId = (await createWorkspace(store, `ws-${target.kind}`)).id;
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes a text file with a NUL past the binary sniff, and finds it', async () => {
    const folder = join(dir, 'docs');
    await mkdir(folder);
    // NUL after the first 8,000 bytes: not taken for a binary file, so it reaches the chunker and the store.
    await writeFile(
      join(folder, 'log.txt'),
      `${'filler line\n'.repeat(800)}The zanzibar${NUL} relay failed.\n`,
    );
    const source: KnowledgeSource = await newSource('logs', 'folder', { path: folder });
    const connector = sourceKindOf('folder').connector(source.config, {
      store,
      workspaceId,
      version: 'test',
      home: dir,
    });
    const result = await syncSource(store, source, { connector, actor });
    expect(result.error).toBeNull();
    expect(result.counts).toMatchObject({ added: 1, failed: 0 });
    const hits = await searchKnowledge(store, { query: 'zanzibar relay', sourceIds: [source.id], limit: 3 });
    expect(hits[0]?.snippet).toContain('zanzibar\uFFFD relay');
    const { rows } = await store.query<{ text: string }>(
      'SELECT text FROM knowledge_chunks WHERE source_id = $1',
      [source.id],
    );
    expect(findUnstorableText(rows, 'chunks')).toBeUndefined();
  });

  it('stores odd refs cleaned and an over-long ref shortened, and finds them unchanged on the next sync', async () => {
    const source = await newSource('notes', 'folder', { path: dir });
    const first = await syncSource(store, source, { connector: oddConnector, actor });
    expect(first.error).toBeNull();
    expect(first.counts).toEqual({ added: 2, updated: 0, unchanged: 0, deleted: 0, failed: 1 });
    const again = await syncSource(store, source, { connector: oddConnector, actor });
    expect(again.counts).toEqual({ added: 0, updated: 0, unchanged: 2, deleted: 0, failed: 1 });

    const documents = await listDocuments(store, source.id, { limit: 10 });
    expect(findUnstorableText(documents, 'documents')).toBeUndefined();
    const refs = documents.map((document) => document.ref);
    expect(refs).toContain('mcp://notes/a\uFFFDb\uFFFD');
    const long = documents.find((document) => document.location === longRef);
    expect(long?.ref).toMatch(/…#sha256:[0-9a-f]{64}$/);
    expect(Buffer.byteLength(long?.ref ?? '')).toBeLessThanOrEqual(MAX_REF_BYTES);
    const hits = await searchKnowledge(store, { query: 'quasar beacon', sourceIds: [source.id], limit: 3 });
    expect(hits[0]?.document.title).toBe('Odd\uFFFD title\uFFFD');
  });
});
