import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { aiSdkEmbedder } from '../../src/core/models/embedder.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { embedPendingMemories } from '../../src/plugins/memory/memory-embeddings.ts';
import type { ScopeRef } from '../../src/plugins/memory/memory-record.ts';
import { createMemory } from '../../src/plugins/memory/memory-repo.ts';
import { searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** A toy embedding model that knows a few synonyms: words of one concept share a dimension. */
const CONCEPTS: Record<string, number> = {
  car: 0,
  automobile: 0,
  vehicle: 0,
  tyres: 0,
  lunch: 1,
  noon: 1,
  report: 2,
};
const conceptVector = (text: string): number[] => {
  const vector = [0, 0, 0, 0.1];
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const dimension = CONCEPTS[word];
    if (dimension !== undefined) vector[dimension]! += 1;
  }
  return vector;
};

const AUTOMOBILE = 'The automobile needs new tyres before winter.';

describe.each(storeTargets())('memory embeddings on $kind', (target) => {
  let model: ScriptedModelServer;
  let store: Store;
  let workspaceId: string;
  let scopes: ScopeRef[];

  beforeAll(async () => {
    model = await startScriptedModelServer();
    model.setEmbedder(conceptVector);
    store = await target.open();
    workspaceId = (await createWorkspace(store, 'embeddings')).id;
    scopes = [{ scope: 'workspace', scopeId: workspaceId }];
    for (const content of [
      AUTOMOBILE,
      'Lunch is at noon on Fridays.',
      'The quarterly report is due in March.',
    ]) {
      await createMemory(
        store,
        workspaceId,
        { kind: 'fact', content, scope: 'workspace', scopeId: workspaceId, provenance: { source: 'user' } },
        { userId: null, agentId: null, runId: null },
      );
    }
    // Someone else's memory about the same concept: vector search must respect scopes too.
    await createMemory(
      store,
      workspaceId,
      {
        kind: 'fact',
        content: 'My vehicle insurance renews in May.',
        scope: 'user',
        scopeId: 'usr_someone_else',
        provenance: { source: 'user' },
      },
      { userId: null, agentId: null, runId: null },
    );
  });
  afterAll(async () => {
    await store.close();
    await model.close();
  });

  const embedderFor = (name: string) =>
    aiSdkEmbedder(createModelRegistry({ compatible: [{ name: 'scripted', baseURL: model.url }] }), name);

  it('embeds pending memories in the background, once per model', async () => {
    const embedder = embedderFor('scripted:embed-1');
    expect(await embedPendingMemories(store, embedder)).toBe(4);
    expect(await embedPendingMemories(store, embedder)).toBe(0);
    expect(model.embeddingRequests).toHaveLength(1);
    const { rows } = await store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM memories WHERE embedding_model = 'scripted:embed-1' AND array_length(embedding, 1) = 4",
    );
    expect(rows[0]?.n).toBe(4);
  });

  it('finds by meaning what shares no word with the query, within the readable scopes only', async () => {
    const lexical = await searchMemories(store, { workspaceId, query: 'car maintenance', scopes, limit: 2 });
    expect(lexical.map((hit) => hit.memory.content)).not.toContain(AUTOMOBILE);
    const hybrid = await searchMemories(store, {
      workspaceId,
      query: 'car maintenance',
      scopes,
      limit: 2,
      embedder: embedderFor('scripted:embed-1'),
    });
    expect(hybrid[0]?.memory.content).toBe(AUTOMOBILE);
    expect(hybrid[0]?.ranks.vector).toBe(1);
    expect(hybrid.map((hit) => hit.memory.content)).not.toContain('My vehicle insurance renews in May.');
  });

  it('re-embeds with a new model and ignores vectors of the old one', async () => {
    const next = embedderFor('scripted:embed-2');
    const hits = await searchMemories(store, { workspaceId, query: 'car', scopes, limit: 3, embedder: next });
    expect(hits.every((hit) => hit.ranks.vector === undefined)).toBe(true);
    expect(await embedPendingMemories(store, next)).toBe(4);
    const again = await searchMemories(store, {
      workspaceId,
      query: 'car',
      scopes,
      limit: 3,
      embedder: next,
    });
    expect(again[0]?.memory.content).toBe(AUTOMOBILE);
  });
});
