import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { aiSdkEmbedder } from '../../src/core/models/embedder.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { embedPendingChunks } from '../../src/plugins/knowledge/knowledge-embeddings.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import type { KnowledgeSource } from '../../src/plugins/knowledge/source-record.ts';
import { createSource } from '../../src/plugins/knowledge/source-repo.ts';
import { runSourceSync } from '../../src/plugins/knowledge/source-sync.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** A toy embedding model: words of one concept share a dimension. */
const CONCEPTS: Record<string, number> = { car: 0, automobile: 0, vehicle: 0, lunch: 1, noon: 1, meal: 1 };
const conceptVector = (text: string): number[] => {
  const vector = [0, 0, 0.1];
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const dimension = CONCEPTS[word];
    if (dimension !== undefined) vector[dimension]! += 1;
  }
  return vector;
};

describe.each(storeTargets())('knowledge embeddings on $kind', (target) => {
  let model: ScriptedModelServer;
  let store: Store;
  let dir: string;
  let source: KnowledgeSource;
  const actor = { type: 'system' as const, id: 'test' };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    model.setEmbedder(conceptVector);
    store = await target.open();
    dir = await mkdtemp(join(tmpdir(), 'agentos-knowledge-embed-'));
    await writeFile(join(dir, 'fleet.md'), '# Fleet\nEvery car gets new tyres in October.');
    await writeFile(join(dir, 'canteen.md'), '# Canteen\nLunch is served at noon.');
    const workspace = await createWorkspace(store, `embed-${target.kind}`);
    source = await createSource(store, {
      workspaceId: workspace.id,
      spaceId: null,
      name: 'facilities',
      kind: 'folder',
      config: { path: dir, maxFileBytes: 10_000 },
      scheduleMinutes: null,
      createdBy: null,
    });
    await runSourceSync({ store, version: 'test', home: dir }, source, actor);
  });
  afterAll(async () => {
    await store.close();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds chunks once, re-embeds what a re-sync changed, and finds by meaning what shares no word', async () => {
    const embedder = aiSdkEmbedder(
      createModelRegistry({ compatible: [{ name: 'scripted', baseURL: model.url }] }),
      'scripted:embed-1',
    );
    expect(await embedPendingChunks(store, embedder)).toBe(2);
    expect(await embedPendingChunks(store, embedder)).toBe(0);

    const lexical = await searchKnowledge(store, { query: 'automobile', sourceIds: [source.id], limit: 2 });
    expect(lexical).toEqual([]);
    const [hit] = await searchKnowledge(store, {
      query: 'automobile',
      sourceIds: [source.id],
      limit: 1,
      embedder,
    });
    expect(hit).toMatchObject({ document: { title: 'Fleet' }, section: 'Fleet', ranks: { vector: 1 } });
    expect(await searchKnowledge(store, { query: 'automobile', sourceIds: [], limit: 1, embedder })).toEqual(
      [],
    );

    await writeFile(join(dir, 'canteen.md'), '# Canteen\nThe meal is served at one.');
    const result = await runSourceSync({ store, version: 'test', home: dir }, source, actor);
    expect(result.counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect(await embedPendingChunks(store, embedder)).toBe(1);
  });
});
