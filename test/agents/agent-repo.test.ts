import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../src/core/agents/agent-definition.ts';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import {
  createAgent,
  deleteAgent,
  getAgent,
  getAgentVersionById,
  listAgents,
  listAgentVersions,
  updateAgent,
} from '../../src/core/agents/agent-repo.ts';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { createUser } from '../../src/core/identity/user-repo.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { storeTargets } from '../support/test-stores.ts';

const definition = (name: string, overrides: Partial<AgentDefinition> = {}): AgentDefinition =>
  agentDefinitionSchema.parse({
    name,
    description: `The ${name} agent`,
    model: 'openai:gpt-4o-mini',
    ...overrides,
  });

async function errorOf(promise: Promise<unknown>): Promise<AgentOsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentOsError) return error;
    throw error;
  }
  throw new Error('expected an AgentOsError');
}

describe.each(storeTargets())('agent repository on $kind', (target) => {
  let store: Store;
  let workspaceId: string;
  let otherWorkspaceId: string;
  let userId: string;

  beforeAll(async () => {
    store = await target.open();
    workspaceId = (await createWorkspace(store, 'main')).id;
    otherWorkspaceId = (await createWorkspace(store, 'other')).id;
    userId = (await createUser(store, { email: 'builder@example.com', name: 'Builder' })).id;
  });
  afterAll(async () => store.close());

  const versionsOf = async (agentId: string) =>
    (
      await store.query<{ version: number }>(
        'SELECT version FROM agent_versions WHERE agent_id = $1 ORDER BY version',
        [agentId],
      )
    ).rows.map((row) => row.version);

  it('creates version 1 with defaults applied, by id or by name', async () => {
    const created = await createAgent(store, {
      workspaceId,
      definition: definition('alpha'),
      createdBy: userId,
    });
    expect(created).toMatchObject({ workspaceId, name: 'alpha', version: 1, deletedAt: null });
    expect(created.id).toMatch(/^agt_/);
    expect(created.definition).toEqual({
      name: 'alpha',
      description: 'The alpha agent',
      instructions: '',
      model: 'openai:gpt-4o-mini',
      tools: [],
      limits: { maxSteps: 20, toolTimeoutMs: 60_000, maxInvalidToolCalls: 3 },
      memory: { recall: 5, extract: false },
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await getAgent(store, workspaceId, 'alpha')).toEqual(created);
    expect(await getAgent(store, workspaceId, created.id)).toEqual(created);
    const { rows } = await store.query<{ created_by: string }>(
      'SELECT created_by FROM agent_versions WHERE agent_id = $1',
      [created.id],
    );
    expect(rows).toEqual([{ created_by: userId }]);
  });

  it('updates into version 2, merging limits key by key, and keeps version 1 readable', async () => {
    const created = await createAgent(store, {
      workspaceId,
      definition: definition('beta', {
        limits: { maxSteps: 5, toolTimeoutMs: 1_000, maxInvalidToolCalls: 1 },
      }),
    });
    const updated = await updateAgent(store, {
      workspaceId,
      idOrName: 'beta',
      patch: { model: 'anthropic:claude-sonnet-4-5', tools: ['web__fetch'], limits: { maxSteps: 9 } },
      updatedBy: userId,
    });
    expect(updated).toMatchObject({ id: created.id, version: 2, name: 'beta' });
    expect(updated.definition).toMatchObject({
      model: 'anthropic:claude-sonnet-4-5',
      description: 'The beta agent',
      tools: ['web__fetch'],
      limits: { maxSteps: 9, toolTimeoutMs: 1_000, maxInvalidToolCalls: 1 },
    });
    expect(await getAgent(store, workspaceId, 'beta')).toEqual(updated);
    const first = await getAgent(store, workspaceId, 'beta', 1);
    expect(first.definition).toEqual(created.definition);
    expect(first.version).toBe(1);
    expect((await listAgentVersions(store, workspaceId, created.id)).map((v) => v.version)).toEqual([1, 2]);
    expect((await errorOf(getAgent(store, workspaceId, 'beta', 3))).code).toBe('resource.not_found');
  });

  it('serialises concurrent updates into versions 2..6 without duplicates', async () => {
    const created = await createAgent(store, { workspaceId, definition: definition('gamma') });
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        updateAgent(store, { workspaceId, idOrName: 'gamma', patch: { instructions: `take ${n}` } }),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect(await versionsOf(created.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const latest = await getAgent(store, workspaceId, 'gamma');
    expect(latest.version).toBe(6);
    expect(latest.definition.instructions).toBe(
      results.find((r) => r.version === 6)?.definition.instructions,
    );
  });

  it('refuses a second live agent with the same name, on create and on rename', async () => {
    await createAgent(store, { workspaceId, definition: definition('delta') });
    expect((await errorOf(createAgent(store, { workspaceId, definition: definition('delta') }))).code).toBe(
      'resource.conflict',
    );
    const other = await createAgent(store, { workspaceId, definition: definition('epsilon') });
    const renamed = await errorOf(
      updateAgent(store, { workspaceId, idOrName: 'epsilon', patch: { name: 'delta' } }),
    );
    expect(renamed.code).toBe('resource.conflict');
    expect(await versionsOf(other.id)).toEqual([1]);
    const moved = await updateAgent(store, { workspaceId, idOrName: other.id, patch: { name: 'epsilon-2' } });
    expect(moved).toMatchObject({ name: 'epsilon-2', version: 2 });
    expect((await errorOf(getAgent(store, workspaceId, 'epsilon'))).code).toBe('resource.not_found');
    expect((await getAgent(store, workspaceId, 'epsilon-2', 1)).definition.name).toBe('epsilon');
  });

  it('soft-deletes: the name is reusable and pinned versions stay readable by id', async () => {
    const old = await createAgent(store, { workspaceId, definition: definition('zeta') });
    await updateAgent(store, { workspaceId, idOrName: 'zeta', patch: { description: 'second' } });
    const deleted = await deleteAgent(store, workspaceId, 'zeta');
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(deleted.version).toBe(2);
    for (const lookup of [
      () => getAgent(store, workspaceId, 'zeta'),
      () => getAgent(store, workspaceId, old.id),
    ]) {
      expect((await errorOf(lookup())).code).toBe('resource.not_found');
    }
    expect((await errorOf(listAgentVersions(store, workspaceId, old.id))).code).toBe('resource.not_found');
    expect((await errorOf(deleteAgent(store, workspaceId, 'zeta'))).code).toBe('resource.not_found');
    expect((await listAgents(store, workspaceId)).map((a) => a.name)).not.toContain('zeta');

    const again = await createAgent(store, { workspaceId, definition: definition('zeta') });
    expect(again.id).not.toBe(old.id);
    expect(again.version).toBe(1);
    const pinned = await getAgentVersionById(store, old.id, 1);
    expect(pinned).toMatchObject({ id: old.id, version: 1, definition: old.definition });
    expect(pinned.deletedAt).toBeInstanceOf(Date);
    expect((await getAgentVersionById(store, old.id, 2)).definition.description).toBe('second');
    expect((await errorOf(getAgentVersionById(store, old.id, 3))).code).toBe('resource.not_found');
  });

  it('keeps workspaces apart', async () => {
    const mine = await createAgent(store, { workspaceId, definition: definition('eta') });
    for (const lookup of [
      () => getAgent(store, otherWorkspaceId, 'eta'),
      () => getAgent(store, otherWorkspaceId, mine.id),
      () => listAgentVersions(store, otherWorkspaceId, mine.id),
      () =>
        updateAgent(store, { workspaceId: otherWorkspaceId, idOrName: mine.id, patch: { description: 'x' } }),
      () => deleteAgent(store, otherWorkspaceId, mine.id),
    ]) {
      expect((await errorOf(lookup())).code).toBe('resource.not_found');
    }
    expect(await listAgents(store, otherWorkspaceId)).toEqual([]);
    const theirs = await createAgent(store, { workspaceId: otherWorkspaceId, definition: definition('eta') });
    expect(theirs.id).not.toBe(mine.id);
    expect(await versionsOf(mine.id)).toEqual([1]);
    expect((await listAgents(store, workspaceId)).map((a) => a.name)).toContain('eta');
  });

  it('rejects an invalid patch with request.invalid and stores nothing', async () => {
    const created = await createAgent(store, { workspaceId, definition: definition('theta') });
    for (const patch of [{ model: 'nocolon' }, { name: 'Not A Name' }, { limits: { maxSteps: 0 } }]) {
      const error = await errorOf(updateAgent(store, { workspaceId, idOrName: 'theta', patch }));
      expect(error.code).toBe('request.invalid');
    }
    const bad = await errorOf(
      updateAgent(store, { workspaceId, idOrName: 'theta', patch: { model: 'nocolon' } }),
    );
    expect(bad.message).toMatch(/model/);
    expect(await versionsOf(created.id)).toEqual([1]);
    expect(await getAgent(store, workspaceId, 'theta')).toEqual(created);
  });

  it('lists the latest version of each live agent, by name', async () => {
    const list = await listAgents(store, workspaceId);
    const names = list.map((a) => a.name);
    expect(names).toEqual([...names].sort());
    expect(list.find((a) => a.name === 'gamma')?.version).toBe(6);
    expect(list.find((a) => a.name === 'beta')?.version).toBe(2);
  });
});
