import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { ToolCallContext } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { listPinnedBlocks } from '../../src/plugins/memory/memory-blocks.ts';
import { listMemoryChanges } from '../../src/plugins/memory/memory-changes.ts';
import { consolidateMemories } from '../../src/plugins/memory/memory-consolidation.ts';
import { importMemories } from '../../src/plugins/memory/memory-import.ts';
import type { NewMemory } from '../../src/plugins/memory/memory-record.ts';
import {
  createMemory,
  deleteMemory,
  getMemory,
  supersedeMemory,
} from '../../src/plugins/memory/memory-repo.ts';
import { memoryTools } from '../../src/plugins/memory/memory-tools.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const HOUR = 3_600_000;
const actor = { userId: null, agentId: null, runId: null };

describe.each(storeTargets())('memory consolidation on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let store: Store;
  let workspaceId: string;
  let admin: string;
  let member: string;
  let memberId: string;
  const agentMemory = (agentId: string, content: string, extra: Partial<NewMemory> = {}): NewMemory => ({
    kind: 'fact',
    content,
    scope: 'agent',
    scopeId: agentId,
    provenance: { source: 'agent_inferred', agentId },
    ...extra,
  });
  const post = async (key: string, path: string) => {
    const response = await fetch(`${agentOs.http!.url}/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await target.open();
    agentOs = await startAgentOs(testConfig(), {
      roles: ['api'],
      store,
      tools: new ToolRegistry(),
      log: () => {},
    });
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    admin = agentOs.firstStart.apiKey;
    workspaceId = agentOs.firstStart.workspaceId;
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const user = (await (
      await fetch(`${agentOs.http!.url}/api/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ email: 'm@example.com', name: 'M', role: 'user' }),
      })
    ).json()) as { user: { id: string } };
    memberId = user.user.id;
    member = (
      (await (
        await fetch(`${agentOs.http!.url}/api/keys`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: 'm', userId: memberId }),
        })
      ).json()) as { secret: string }
    ).secret;
  });
  afterAll(async () => {
    await agentOs.stop();
  });

  it('merges a near-duplicate pair into the older memory and supersedes the newer one', async () => {
    // Imported verbatim (no merge at write time), one at a time so the first is the older one.
    const importOne = async (memory: NewMemory) =>
      (await importMemories(store, workspaceId, [memory], actor))[0];
    const older = await importOne(
      agentMemory('agt_merge', 'The staging cluster runs on Hetzner in Falkenstein.', {
        subjects: ['staging'],
      }),
    );
    const newer = await importOne(
      agentMemory('agt_merge', 'The staging cluster runs on Hetzner in Falkenstein!', {
        subjects: ['hetzner'],
      }),
    );
    const other = await importOne(agentMemory('agt_merge', 'Invoices go out on the first working day.'));
    if (target.kind === 'postgres') {
      // Another process holding the consolidation lock: this one does nothing.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let lockHeld = () => {};
      const held = new Promise<void>((resolve) => {
        lockHeld = resolve;
      });
      const holder = store.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          'agentos:memory-consolidation',
        ]);
        lockHeld();
        await released;
      });
      await held;
      expect(await consolidateMemories(store)).toEqual({ merged: 0, expired: 0, blocksRewritten: 0 });
      release();
      await holder;
    }

    expect(await consolidateMemories(store)).toMatchObject({ merged: 1 });
    const kept = await getMemory(store, workspaceId, older!);
    const dropped = await getMemory(store, workspaceId, newer!);
    expect(kept).toMatchObject({ supersededBy: null, deletedAt: null, subjects: ['staging', 'hetzner'] });
    expect(dropped).toMatchObject({ supersededBy: older, deletedAt: null });
    expect((await getMemory(store, workspaceId, other!)).supersededBy).toBeNull();
    const keptChanges = await listMemoryChanges(store, workspaceId, older!);
    expect(keptChanges.at(-1)).toMatchObject({
      action: 'merge',
      new: { mergedContent: 'The staging cluster runs on Hetzner in Falkenstein!' },
    });
    expect((await listMemoryChanges(store, workspaceId, newer!)).at(-1)).toMatchObject({
      action: 'supersede',
      new: { mergedInto: older },
    });
    expect(await consolidateMemories(store)).toMatchObject({ merged: 0 });
  });

  it('expires memories past valid_to, logs it, and recall stops returning them', async () => {
    const context: ToolCallContext = {
      runId: 'run_x',
      workspaceId,
      agentId: 'agt_expire',
      userId: null,
      idempotencyKey: 'run_x:1:0',
      signal: new AbortController().signal,
    };
    const recall = memoryTools(store).find((tool) => tool.name === 'recall')!;
    const recalled = async () =>
      (
        (await recall.execute(recall.inputSchema.parse({ query: 'parking garage code' }), context)) as {
          memories: Array<{ id: string }>;
        }
      ).memories.map((m) => m.id);
    const { memory } = await createMemory(
      store,
      workspaceId,
      agentMemory('agt_expire', 'The parking garage code is 4711 this week.', {
        validTo: new Date(Date.now() + HOUR),
      }),
      actor,
    );
    const { memory: lasting } = await createMemory(
      store,
      workspaceId,
      agentMemory('agt_expire', 'The parking garage is on Elm Street.'),
      actor,
    );
    expect(await recalled()).toContain(memory.id);
    expect(await consolidateMemories(store)).toMatchObject({ expired: 0 });

    const later = new Date(Date.now() + 2 * HOUR);
    expect(await consolidateMemories(store, { now: later })).toMatchObject({ expired: 1 });
    expect(await recalled()).toEqual([lasting.id]);
    const changes = await listMemoryChanges(store, workspaceId, memory.id);
    expect(changes.map((change) => change.action)).toEqual(['create', 'expire']);
    expect(changes[1]?.new).toMatchObject({ expiredAt: later.toISOString() });
    expect(await consolidateMemories(store, { now: later })).toMatchObject({ expired: 0 });
  });

  it("rewrites each scope's recent-decisions block from its newest live decisions", async () => {
    const decide = (scope: 'agent' | 'user', scopeId: string, content: string, day: number) =>
      createMemory(
        store,
        workspaceId,
        {
          kind: 'decision',
          content,
          scope,
          scopeId,
          provenance: { source: 'user', userId: memberId },
          occurredAt: new Date(Date.UTC(2026, 10, day)),
        },
        actor,
      );
    await decide('agent', 'agt_decider', 'Refunds above 200 EUR need a second approver.', 3);
    await decide('agent', 'agt_decider', 'Support replies within one working day.', 5);
    const old = await decide('agent', 'agt_decider', 'Ship orders with DHL.', 4);
    await supersedeMemory(
      store,
      workspaceId,
      old.memory.id,
      {
        kind: 'decision',
        content: 'Ship orders with UPS from now on.',
        scope: 'agent',
        scopeId: 'agt_decider',
        provenance: { source: 'user', userId: memberId },
        occurredAt: new Date(Date.UTC(2026, 10, 6)),
      },
      actor,
    );
    const topics = ['pricing', 'hiring', 'laptops', 'travel', 'backups', 'offsite', 'vendors', 'budget'];
    const extra = ['security', 'onboarding', 'holidays', 'meetings'];
    const userTopics = [...topics, ...extra];
    for (const [i, topic] of userTopics.entries()) {
      await decide(
        'user',
        memberId,
        `Decision ${i} on ${topic}: ${topic.toUpperCase()} owner is team ${i}.`,
        10 + i,
      );
    }

    expect(await consolidateMemories(store)).toMatchObject({ blocksRewritten: 2 });
    const agentBlocks = await listPinnedBlocks(store, {
      workspaceId,
      agentId: 'agt_decider',
      userId: memberId,
    });
    const agentBlock = agentBlocks.find((b) => b.scope === 'agent')!;
    expect(agentBlock.label).toBe('recent-decisions');
    expect(agentBlock.content.split('\n')).toEqual([
      'Most recent decisions, newest first:',
      '- 2026-11-06: Ship orders with UPS from now on.',
      '- 2026-11-05: Support replies within one working day.',
      '- 2026-11-03: Refunds above 200 EUR need a second approver.',
    ]);
    const userBlock = agentBlocks.find((b) => b.scope === 'user')!;
    const lines = userBlock.content.split('\n').slice(1);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toContain('meetings');
    expect(lines[9]).toContain('laptops');
    expect(userBlock.content.length).toBeLessThanOrEqual(2_000);

    expect(await consolidateMemories(store)).toMatchObject({ blocksRewritten: 0 });
    const userDecisions = await store.query<{ id: string }>(
      `SELECT id FROM memories WHERE scope = 'user' AND scope_id = $1 AND kind = 'decision'`,
      [memberId],
    );
    for (const row of userDecisions.rows) await deleteMemory(store, workspaceId, row.id, actor);
    expect(await consolidateMemories(store)).toMatchObject({ blocksRewritten: 1 });
    const after = await listPinnedBlocks(store, { workspaceId, agentId: 'agt_decider', userId: memberId });
    expect(after.map((b) => b.scope)).toEqual(['agent']);
  });

  it('POST /api/memories/consolidate is for admins and answers the counts', async () => {
    const denied = await post(member, '/memories/consolidate');
    expect(denied.status).toBe(403);
    const done = await post(admin, '/memories/consolidate');
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ merged: 0, expired: 0, blocksRewritten: 0 });
  });
});
