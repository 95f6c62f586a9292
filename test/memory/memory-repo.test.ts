import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { listMemoryChanges } from '../../src/plugins/memory/memory-changes.ts';
import { importMemories } from '../../src/plugins/memory/memory-import.ts';
import type { MemoryActor, NewMemory, ScopeRef } from '../../src/plugins/memory/memory-record.ts';
import {
  createMemory,
  deleteMemory,
  getMemory,
  listMemories,
  supersedeMemory,
  updateMemory,
} from '../../src/plugins/memory/memory-repo.ts';
import { searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { storeTargets } from '../support/test-stores.ts';

const actor: MemoryActor = { userId: null, agentId: 'agt_scribe', runId: 'run_1' };

describe.each(storeTargets())('memory repository on $kind', (target) => {
  let store: Store;
  let workspaceId: string;
  let scope: ScopeRef;
  let counter = 0;
  const fact = (content: string, extra: Partial<NewMemory> = {}): NewMemory => ({
    kind: 'fact',
    content,
    ...scope,
    provenance: { source: 'agent_inferred', runId: 'run_1' },
    ...extra,
  });

  beforeAll(async () => {
    store = await target.open();
    workspaceId = (await createWorkspace(store, 'memory-repo')).id;
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    scope = { scope: 'user', scopeId: `usr_${++counter}` };
  });

  it('creates a memory, defaults its trust from the source and logs the change', async () => {
    const { memory, merged } = await createMemory(
      store,
      workspaceId,
      fact('The staging database lives in eu-west-1', { subjects: ['staging'], importance: 0.7 }),
      actor,
    );
    expect(merged).toBe(false);
    expect(memory).toMatchObject({
      id: expect.stringMatching(/^mem_/),
      kind: 'fact',
      scope: 'user',
      scopeId: scope.scopeId,
      subjects: ['staging'],
      trust: 'untrusted',
      confidence: 1,
      supersededBy: null,
      deletedAt: null,
      provenance: { source: 'agent_inferred', runId: 'run_1' },
    });
    expect(memory.importance).toBeCloseTo(0.7);
    expect(await getMemory(store, workspaceId, memory.id)).toEqual(memory);
    const changes = await listMemoryChanges(store, workspaceId, memory.id);
    expect(changes.map((change) => [change.action, change.agentId, change.runId])).toEqual([
      ['create', 'agt_scribe', 'run_1'],
    ]);
    expect(changes[0]?.new?.content).toBe('The staging database lives in eu-west-1');
  });

  it('merges a near-duplicate of the same scope and kind instead of inserting it', async () => {
    const first = await createMemory(
      store,
      workspaceId,
      fact('Deploys happen on Tuesdays at 10:00 UTC.', { subjects: ['deploys'] }),
      actor,
    );
    const again = await createMemory(
      store,
      workspaceId,
      fact('Deploys happen on Tuesdays at 10:00 UTC', { subjects: ['release train'], importance: 0.6 }),
      { ...actor, runId: 'run_2' },
    );
    expect(again.merged).toBe(true);
    expect(again.memory.id).toBe(first.memory.id);
    expect(again.memory.content).toBe('Deploys happen on Tuesdays at 10:00 UTC.');
    expect(again.memory.subjects).toEqual(['deploys', 'release train']);
    expect(again.memory.importance).toBeCloseTo(0.65);
    const changes = await listMemoryChanges(store, workspaceId, first.memory.id);
    expect(changes.map((change) => change.action)).toEqual(['create', 'merge']);
    expect(changes[1]).toMatchObject({
      runId: 'run_2',
      new: { mergedContent: 'Deploys happen on Tuesdays at 10:00 UTC' },
    });

    const otherKind = await createMemory(
      store,
      workspaceId,
      fact('Deploys happen on Tuesdays at 10:00 UTC', { kind: 'decision' }),
      actor,
    );
    const otherScope = await createMemory(
      store,
      workspaceId,
      { ...fact('Deploys happen on Tuesdays at 10:00 UTC'), scope: 'workspace', scopeId: workspaceId },
      actor,
    );
    const different = await createMemory(store, workspaceId, fact('Deploys are frozen in December'), actor);
    expect([otherKind.merged, otherScope.merged, different.merged]).toEqual([false, false, false]);
    const listed = await listMemories(store, { workspaceId, scopes: [scope], limit: 10 });
    expect(listed.map((memory) => memory.content).sort()).toEqual([
      'Deploys are frozen in December',
      'Deploys happen on Tuesdays at 10:00 UTC',
      'Deploys happen on Tuesdays at 10:00 UTC.',
    ]);
  });

  it('applies a change with the same request key once', async () => {
    const keyed = { ...actor, requestKey: `run_1:0:${counter}` };
    const first = await createMemory(store, workspaceId, fact('The on-call rota changes on Mondays'), keyed);
    const retried = await createMemory(
      store,
      workspaceId,
      fact('The on-call rota changes on Mondays'),
      keyed,
    );
    expect(retried).toEqual(first);
    expect((await listMemoryChanges(store, workspaceId, first.memory.id)).length).toBe(1);
  });

  it('updates in place and logs old and new values', async () => {
    const { memory } = await createMemory(store, workspaceId, fact('The budget owner is Priya'), actor);
    const updated = await updateMemory(
      store,
      workspaceId,
      memory.id,
      { content: 'The budget owner is Priya Raman', subjects: ['budget'], importance: 0.9 },
      { userId: 'usr_editor', agentId: null, runId: null },
    );
    expect(updated).toMatchObject({ content: 'The budget owner is Priya Raman', subjects: ['budget'] });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(memory.updatedAt.getTime());
    const changes = await listMemoryChanges(store, workspaceId, memory.id);
    expect(changes[1]).toMatchObject({
      action: 'update',
      userId: 'usr_editor',
      old: { content: 'The budget owner is Priya', subjects: [] },
      new: { content: 'The budget owner is Priya Raman', subjects: ['budget'] },
    });
  });

  it('supersedes a decision: the old one ends and points at the new one, and drops out of search', async () => {
    const old = await createMemory(
      store,
      workspaceId,
      fact('Decision: the mobile app is written in Kotlin', { kind: 'decision' }),
      actor,
    );
    const { memory, superseded } = await supersedeMemory(
      store,
      workspaceId,
      old.memory.id,
      fact('Decision: the mobile app is written in Flutter', { kind: 'decision' }),
      actor,
    );
    expect(superseded).toMatchObject({ id: old.memory.id, supersededBy: memory.id });
    expect(superseded.validTo?.getTime()).toBe(memory.validFrom.getTime());
    expect(memory.supersededBy).toBeNull();
    await expect(
      supersedeMemory(
        store,
        workspaceId,
        old.memory.id,
        fact('Decision: React Native', { kind: 'decision' }),
        actor,
      ),
    ).rejects.toMatchObject({ code: 'resource.conflict' });

    const search = (inactive: boolean) =>
      searchMemories(store, {
        workspaceId,
        query: 'mobile app written in',
        scopes: [scope],
        limit: 5,
        includeSuperseded: inactive,
        includeExpired: inactive,
      });
    expect((await search(false)).map((hit) => hit.memory.id)).toEqual([memory.id]);
    expect((await search(true)).map((hit) => hit.memory.id).sort()).toEqual(
      [memory.id, old.memory.id].sort(),
    );
    const actions = (await listMemoryChanges(store, workspaceId, old.memory.id)).map(
      (change) => change.action,
    );
    expect(actions).toEqual(['create', 'supersede']);
  });

  it('soft-deletes: the memory leaves lists and search, its row and history stay', async () => {
    const { memory } = await createMemory(
      store,
      workspaceId,
      fact('The office wifi password rotates monthly'),
      actor,
    );
    const deleted = await deleteMemory(store, workspaceId, memory.id, actor);
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(await listMemories(store, { workspaceId, scopes: [scope], limit: 10 })).toEqual([]);
    expect(
      await searchMemories(store, { workspaceId, query: 'wifi password', scopes: [scope], limit: 5 }),
    ).toEqual([]);
    expect((await getMemory(store, workspaceId, memory.id)).deletedAt).toBeInstanceOf(Date);
    await expect(deleteMemory(store, workspaceId, memory.id, actor)).rejects.toMatchObject({
      code: 'resource.not_found',
    });
    expect((await listMemoryChanges(store, workspaceId, memory.id)).map((change) => change.action)).toEqual([
      'create',
      'delete',
    ]);
  });

  it('keeps the per-scope term statistics in step with imports, edits and deletes', async () => {
    const stats = async () => {
      const { rows } = await store.query<{ docs: number; df: number | null }>(
        `SELECT s.docs, (SELECT docs FROM memory_term_stats t WHERE t.workspace_id = s.workspace_id
           AND t.scope = s.scope AND t.scope_id = s.scope_id AND t.lexeme = 'kayak') AS df
         FROM memory_scope_stats s WHERE s.workspace_id = $1 AND s.scope = $2 AND s.scope_id = $3`,
        [workspaceId, scope.scope, scope.scopeId],
      );
      return rows[0];
    };
    const ids = await importMemories(
      store,
      workspaceId,
      [fact('Sam bought a kayak'), fact('Sam paddles the kayak on weekends'), fact('Sam likes tea')],
      actor,
    );
    expect(ids).toHaveLength(3);
    expect(await stats()).toEqual({ docs: 3, df: 2 });
    await updateMemory(store, workspaceId, ids[0]!, { content: 'Sam bought a canoe' }, actor);
    expect(await stats()).toEqual({ docs: 3, df: 1 });
    await deleteMemory(store, workspaceId, ids[1]!, actor);
    expect(await stats()).toEqual({ docs: 2, df: 0 });
  });
});
