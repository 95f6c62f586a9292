import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { MemoryKind, ScopeRef } from '../../src/plugins/memory/memory-record.ts';
import { createMemory, updateMemory } from '../../src/plugins/memory/memory-repo.ts';
import { searchMemories } from '../../src/plugins/memory/memory-search.ts';
import { storeTargets } from '../support/test-stores.ts';

const actor = { userId: null, agentId: null, runId: null };

describe.each(storeTargets())('memory search on $kind', (target) => {
  let store: Store;
  let workspaceId: string;
  const alice: ScopeRef = { scope: 'user', scopeId: 'usr_alice' };
  const bob: ScopeRef = { scope: 'user', scopeId: 'usr_bob' };
  const planner: ScopeRef = { scope: 'agent', scopeId: 'agt_planner' };
  const coder: ScopeRef = { scope: 'agent', scopeId: 'agt_coder' };
  let team: ScopeRef;
  const ids = new Map<string, string>();

  const remember = async (
    name: string,
    scope: ScopeRef,
    content: string,
    extra: { kind?: MemoryKind; subjects?: string[]; importance?: number } = {},
  ) => {
    const { memory } = await createMemory(
      store,
      workspaceId,
      { kind: extra.kind ?? 'fact', content, ...scope, provenance: { source: 'user' }, ...extra },
      actor,
    );
    ids.set(name, memory.id);
  };
  const search = async (query: string, scopes: readonly ScopeRef[], options: { kind?: MemoryKind } = {}) =>
    (await searchMemories(store, { workspaceId, query, scopes, limit: 5, ...options })).map(
      (hit) => [...ids.entries()].find(([, id]) => id === hit.memory.id)?.[0],
    );

  beforeAll(async () => {
    store = await target.open();
    workspaceId = (await createWorkspace(store, 'memory-search')).id;
    team = { scope: 'workspace', scopeId: workspaceId };
    await remember('deploys', team, 'Production deploys happen on Tuesdays after the 10:00 UTC stand-up.', {
      kind: 'procedure',
    });
    await remember('coffee', alice, 'Alice drinks her coffee black, no sugar.', {
      kind: 'preference',
      subjects: ['Alice'],
    });
    await remember('tea', alice, 'Bob prefers green tea in the afternoon.', {
      kind: 'preference',
      subjects: ['Bob'],
    });
    await remember('database', team, 'Decision: the billing service moves from MySQL to PostgreSQL in Q3.', {
      kind: 'decision',
    });
    await remember(
      'oncall',
      team,
      'The on-call engineer this week is Marta; she can be paged through Opsgenie.',
    );
    await remember('trip', alice, 'Alice went hiking in the Dolomites with her sister in August.', {
      kind: 'episode',
      subjects: ['Alice'],
    });
    await remember('bob-salary', bob, "Bob's salary review is scheduled for the deploys retrospective week.");
    await remember('coder-secret', coder, 'The coder agent keeps the deploy key fingerprint SHA256:abc.');
    await remember('planner-note', planner, 'The planner agent schedules deploys only on Tuesdays.');
  });
  afterAll(async () => {
    await store.close();
  });

  it('puts the relevant memory first for handcrafted questions', async () => {
    const scopes = [alice, team, planner];
    expect((await search('When do we deploy to production?', scopes))[0]).toBe('deploys');
    expect((await search('How does Alice take her coffee?', scopes))[0]).toBe('coffee');
    expect((await search('Which database will billing use?', scopes))[0]).toBe('database');
    expect((await search('who is on call this week', scopes))[0]).toBe('oncall');
    expect((await search('Where did Alice go hiking?', scopes))[0]).toBe('trip');
  });

  it('finds near-spellings through trigram similarity when no word matches', async () => {
    expect((await search('Dolomits hikng', [alice]))[0]).toBe('trip');
    expect(await search('zzzz qqqq', [alice, team])).toEqual([]);
  });

  it('never returns memories from scopes the caller did not pass', async () => {
    const asAlicePlanner = await search('deploys Tuesdays salary review deploy key fingerprint', [
      alice,
      team,
      planner,
    ]);
    expect(asAlicePlanner).toContain('deploys');
    expect(asAlicePlanner).toContain('planner-note');
    expect(asAlicePlanner).not.toContain('bob-salary');
    expect(asAlicePlanner).not.toContain('coder-secret');
    expect(await search("Bob's salary review", [alice])).not.toContain('bob-salary');
    expect(await search('deploy key fingerprint SHA256', [team, planner])).not.toContain('coder-secret');
    expect(await search('deploy key fingerprint SHA256', [coder])).toEqual(['coder-secret']);
    expect(await search('deploys', [])).toEqual([]);
  });

  it('filters by kind and leaves out expired memories unless asked', async () => {
    expect(await search('Alice coffee tea afternoon', [alice], { kind: 'preference' })).toEqual(
      expect.arrayContaining(['coffee', 'tea']),
    );
    expect(await search('Alice coffee hiking', [alice], { kind: 'episode' })).toEqual(['trip']);
    await updateMemory(
      store,
      workspaceId,
      ids.get('oncall')!,
      { validTo: new Date(Date.now() - 1_000) },
      actor,
    );
    expect(await search('on-call engineer paged', [team])).not.toContain('oncall');
    const expired = await searchMemories(store, {
      workspaceId,
      query: 'on-call engineer paged',
      scopes: [team],
      limit: 5,
      includeExpired: true,
    });
    expect(expired.map((hit) => hit.memory.id)).toContain(ids.get('oncall'));
  });

  it('reports each ranker and breaks ties deterministically', async () => {
    const hits = await searchMemories(store, {
      workspaceId,
      query: 'deploys Tuesdays',
      scopes: [team, planner],
      limit: 5,
    });
    expect(hits[0]?.ranks.lexical).toBe(1);
    expect(hits.every((hit, i) => i === 0 || hits[i - 1]!.score >= hit.score)).toBe(true);
    const again = await searchMemories(store, {
      workspaceId,
      query: 'deploys Tuesdays',
      scopes: [team, planner],
      limit: 5,
    });
    expect(again.map((hit) => hit.memory.id)).toEqual(hits.map((hit) => hit.memory.id));
  });
});
