import { createApiKey } from '../../src/core/identity/api-keys.ts';
import { addGroupMember, createGroup } from '../../src/core/identity/group-repo.ts';
import { createSpace } from '../../src/core/identity/space-repo.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import { saveArtefact } from '../../src/core/tools/artefacts.ts';
import { storeConversationFiles } from '../../src/plugins/conversations/conversation-files.ts';
import { openEscalation } from '../../src/plugins/evals/check-escalations.ts';
import { parsePlan } from '../../src/plugins/orchestration/plan-definition.ts';
import { createPlan } from '../../src/plugins/orchestration/plan-repo.ts';
import { requestApproval } from '../../src/plugins/policy/approval-repo.ts';
import { EVERYTHING_SERVER } from '../mcp/mcp-harness.ts';
import {
  type Ownership,
  ownerIn,
  type Person,
  type Secret,
  type Situation,
  type World,
} from './matrix-world.ts';
import { SOURCE_POSTGRES_URL } from './source-databases.ts';

/** An item a cell acts on: its id (the path parameter), more parameters by name, and who may see it. */
export interface Fixture {
  id: string;
  /** A path parameter's value by name when it is not `id` (e.g. `userId`, `tool`). */
  params: Record<string, string>;
  item: Omit<Secret, 'text'>;
}

/** Makes the item of a situation for a caller (`undefined`: the kind has no such situation). */
export type FixtureFactory = (w: World, situation: Situation, caller: Person) => Promise<Fixture | undefined>;

/** The item's visibility facts, and its id and content marker remembered as secrets. */
function item(w: World, situation: Situation, caller: Person, ownership: Ownership, texts: string[]) {
  const owner = ownerIn(situation, caller);
  const facts = {
    ownership,
    owner,
    restricted: situation === 'restricted',
    foreign: situation === 'otherWorkspace',
  };
  w.remember(facts, ...texts);
  return facts;
}

/** A user-scope item is its user's alone; the vault's and the other workspace's are shared where they live. */
const personalOrShared = (situation: Situation): Ownership =>
  situation === 'own' || situation === 'otherUser' ? 'private' : 'workspace';

/** Workspace items: "own" in no space (made by an admin), another builder's, in the vault, the other workspace's. */
const workspaceMaker = (situation: Situation): Person =>
  ({ own: 'admin', otherUser: 'bea', restricted: 'admin', otherWorkspace: 'beta' })[situation] as Person;
const inVault = (situation: Situation) => (situation === 'restricted' ? { space: 'vault' } : {});

async function run(w: World, situation: Situation, caller: Person): Promise<{ id: string; marker: string }> {
  const owner = ownerIn(situation, caller);
  const marker = w.unique(`mxrun${situation}`);
  const agentId =
    situation === 'restricted'
      ? w.agents.vault
      : situation === 'otherWorkspace'
        ? w.agents.beta
        : w.agents.open;
  const created = await createRun(w.store, {
    workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
    agentId,
    agentVersion: 1,
    userId: w.people[owner].id,
    input: { task: `task ${marker}` },
    priority: 'standard',
  });
  return { id: created.id, marker };
}

const runFixture: FixtureFactory = async (w, situation, caller) => {
  const { id, marker } = await run(w, situation, caller);
  return { id, params: {}, item: item(w, situation, caller, 'personal', [id, marker]) };
};

const named =
  (
    kind: string,
    create: (w: World, situation: Situation, name: string, marker: string) => Promise<string>,
  ): FixtureFactory =>
  async (w, situation, caller) => {
    const name = w.unique(`mx${kind}${situation.toLowerCase()}`);
    const marker = `${name}-content`;
    const id = await create(w, situation, name, marker);
    return { id, params: { name }, item: item(w, situation, caller, 'workspace', [id, name, marker]) };
  };

/** The fixture factory of each resource kind (or sub-kind an entry names), in one table. */
export const FIXTURES: Record<string, FixtureFactory> = {
  agent: named('agent', async (w, situation, name, marker) => {
    const body = { name, description: marker, model: 'scripted:test-model', ...inVault(situation) };
    return (await w.make<{ agent: { id: string } }>(workspaceMaker(situation), 'POST', '/api/agents', body))
      .agent.id;
  }),
  run: runFixture,
  approval: async (w, situation, caller) => {
    const { id: runId, marker } = await run(w, situation, caller);
    const owner = ownerIn(situation, caller);
    const approval = await requestApproval(w.store, {
      runId,
      turn: 0,
      callIndex: 0,
      tool: 'pay',
      argumentsHash: marker,
      policyVersion: 'v',
      workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
      userId: w.people[owner].id,
      ruleId: 'stakes.high',
      reason: `reason ${marker}`,
      ttlMs: 3_600_000,
      arguments: { to: marker },
    });
    return {
      id: approval.id,
      params: {},
      item: item(w, situation, caller, 'personal', [approval.id, marker]),
    };
  },
  artefact: async (w, situation, caller) => {
    const { id: runId, marker } = await run(w, situation, caller);
    const id = `art_${marker}`;
    await saveArtefact(w.store, {
      id,
      workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
      runId,
      tool: 't',
      json: JSON.stringify({ note: `${marker}-artefact` }),
    });
    return { id, params: {}, item: item(w, situation, caller, 'personal', [`${marker}-artefact`]) };
  },
  /** User-scope memories are private to their user; the vault's is a space memory; the other workspace's too. */
  memory: async (w, situation, caller) => {
    const owner = ownerIn(situation, caller);
    const marker = w.unique(`mxmemory${situation}`);
    const scope =
      situation === 'restricted'
        ? { scope: 'space', scopeId: w.vaultSpaceId }
        : situation === 'otherWorkspace'
          ? { scope: 'workspace' }
          : { scope: 'user' };
    const maker = situation === 'restricted' ? 'admin' : owner;
    const created = await w.make<{ memory: { id: string } }>(maker, 'POST', '/api/memories', {
      kind: 'fact',
      content: `fact ${marker}`,
      ...scope,
    });
    const id = created.memory.id;
    return { id, params: {}, item: item(w, situation, caller, personalOrShared(situation), [id, marker]) };
  },
  'memory-block': async (w, situation, caller) => {
    const owner = ownerIn(situation, caller);
    const label = w.unique(`mxblock${situation.toLowerCase()}`);
    const body =
      situation === 'restricted'
        ? { scope: 'agent', scopeId: w.agents.vault, label, content: `${label}-content` }
        : { scope: 'user', label, content: `${label}-content` };
    const created = await w.make<{ block: { id: string } }>(
      situation === 'restricted' ? 'admin' : owner,
      'PUT',
      '/api/memory-blocks',
      body,
    );
    const id = created.block.id;
    return { id, params: {}, item: item(w, situation, caller, personalOrShared(situation), [id, label]) };
  },
  /** Spaces are admin business; "own" is an open space, the vault is restricted. */
  space: async (w, situation, caller) => {
    if (situation === 'otherUser') return undefined;
    const name = w.unique(`mxspace${situation.toLowerCase()}`);
    const workspaceId = situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId;
    const visibility = situation === 'restricted' ? 'restricted' : 'open';
    const space = await createSpace(w.store, { workspaceId, name, visibility });
    const group = await createGroup(w.store, w.workspaceId, w.unique('mxgroup'));
    const facts = item(w, situation, caller, 'workspace', [space.id, name]);
    // A member to remove (the removal of someone who is in the space).
    await w
      .make('admin', 'POST', `/api/spaces/${space.id}/members`, { userId: w.people.olga.id })
      .catch(() => undefined);
    return { id: space.id, params: { userId: w.people.olga.id, group: group.name }, item: facts };
  },
  group: async (w, situation, caller) => {
    if (situation === 'otherUser' || situation === 'restricted') return undefined;
    const workspaceId = situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId;
    const group = await createGroup(w.store, workspaceId, w.unique(`mxgroup${situation.toLowerCase()}`));
    await addGroupMember(w.store, group.id, w.people[situation === 'otherWorkspace' ? 'beta' : 'olga'].id);
    return {
      id: group.id,
      params: { userId: w.people.olga.id },
      item: item(w, situation, caller, 'workspace', [group.id, group.name]),
    };
  },
  /** Keys are managed by admins: any key of the workspace, none of another. */
  key: async (w, situation, caller) => {
    if (situation === 'restricted') return undefined;
    const owner = ownerIn(situation, caller);
    const key = await createApiKey(w.store, {
      workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
      userId: w.people[owner].id,
      name: w.unique('mxkey'),
    });
    return { id: key.key.id, params: {}, item: item(w, situation, caller, 'workspace', [key.key.id]) };
  },
  source: named('source', async (w, situation, name, marker) => {
    const body = { name, kind: 'mcp-resources', config: { server: marker }, ...inVault(situation) };
    return (await w.make<{ source: { id: string } }>(workspaceMaker(situation), 'POST', '/api/sources', body))
      .source.id;
  }),
  skill: named('skill', async (w, situation, name, marker) => {
    const body = { name, description: marker, instructions: `${marker} steps`, ...inVault(situation) };
    return (await w.make<{ skill: { id: string } }>(workspaceMaker(situation), 'POST', '/api/skills', body))
      .skill.id;
  }),
  /**
   * A conversation is private to its owner (admins included: nobody else reads it); the restricted one is
   * Vera's, shared with the vault, so its members and admins (who see every space) read it.
   */
  conversation: async (w, situation, caller) => {
    const owner = ownerIn(situation, caller);
    const title = w.unique(`mxconv${situation.toLowerCase()}`);
    const body = { title, ...(situation === 'restricted' ? { space: 'vault' } : {}) };
    const created = await w.make<{ conversation: { id: string } }>(owner, 'POST', '/api/conversations', body);
    const id = created.conversation.id;
    const ownership = situation === 'restricted' ? 'workspace' : 'private';
    return { id, params: {}, item: item(w, situation, caller, ownership, [id, title]) };
  },
  /** A plan is its user's, like its runs: made for the situation's owner (the repo: users submit none by API). */
  plan: async (w, situation, caller) => {
    const owner = ownerIn(situation, caller);
    const name = w.unique(`mxplan${situation.toLowerCase()}`);
    const agent =
      situation === 'restricted'
        ? 'vault-agent'
        : situation === 'otherWorkspace'
          ? 'beta-agent'
          : 'open-agent';
    const plan = await createPlan(w.store, {
      workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
      userId: w.people[owner].id,
      definition: parsePlan({ name, nodes: [{ id: 'a', kind: 'agent', agent, task: `${name}-task` }] }),
    });
    return { id: plan.id, params: {}, item: item(w, situation, caller, 'personal', [plan.id, name]) };
  },
  budget: async (w, situation, caller) => {
    if (situation === 'otherUser' || situation === 'restricted') return undefined;
    const maker = situation === 'otherWorkspace' ? 'beta' : 'admin';
    const created = await w.make<{ budget: { id: string } }>(maker, 'POST', '/api/budgets', {
      period: 'day',
      limitUsd: 7,
    });
    const id = created.budget.id;
    return { id, params: {}, item: item(w, situation, caller, 'workspace', [id]) };
  },
  'mcp-server': async (w, situation, caller) => {
    if (situation === 'otherUser' || situation === 'restricted') return undefined;
    const name = w.unique(`mxmcp${situation.toLowerCase()}`).replaceAll('-', '_');
    const created = await w.make<{ server: { id: string } }>(
      situation === 'otherWorkspace' ? 'beta' : 'admin',
      'POST',
      '/api/mcp/servers',
      { name, transport: 'stdio', command: 'node', args: [EVERYTHING_SERVER] },
    );
    const id = created.server.id;
    return { id, params: { tool: 'echo' }, item: item(w, situation, caller, 'workspace', [id, name]) };
  },
  database: async (w, situation, caller) => {
    if (situation === 'otherUser' || situation === 'restricted') return undefined;
    const name = w.unique(`mxdb${situation.toLowerCase()}`).replaceAll('-', '_');
    const created = await w.make<{ database: { id: string } }>(
      situation === 'otherWorkspace' ? 'beta' : 'admin',
      'POST',
      '/api/databases',
      { name, url: SOURCE_POSTGRES_URL },
    );
    const id = created.database.id;
    return { id, params: {}, item: item(w, situation, caller, 'workspace', [id, name]) };
  },
  eval: named('suite', async (w, situation, name, marker) => {
    const agent =
      situation === 'restricted'
        ? 'vault-agent'
        : situation === 'otherWorkspace'
          ? 'beta-agent'
          : 'open-agent';
    const body = {
      name,
      agent,
      description: marker,
      cases: [{ id: 'c1', input: `${marker} input`, criteria: [{ kind: 'contains', values: ['ok'] }] }],
    };
    await w.make(workspaceMaker(situation), 'POST', '/api/evals/suites', body);
    return name;
  }),
};

/** Keys for fixture factories that are not a resource kind of their own. */
export const SUB_FIXTURES: Record<string, FixtureFactory> = {
  /** A file of the situation's conversation, uploaded by its owner. */
  'conversation-file': async (w, situation, caller) => {
    const conversation = await FIXTURES.conversation!(w, situation, caller);
    if (conversation === undefined) return undefined;
    const owner = ownerIn(situation, caller);
    const [file] = await storeConversationFiles(
      w.store,
      {
        id: conversation.id,
        workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
      },
      w.people[owner].id,
      [{ name: 'matrix.txt', mediaType: 'text/plain', content: new TextEncoder().encode('matrix file') }],
    );
    w.remember(conversation.item, file!.id);
    return { id: conversation.id, params: { fileId: file!.id }, item: conversation.item };
  },
  'eval-run': async (w, situation, caller) => {
    const suite = await FIXTURES.eval!(w, situation, caller);
    if (suite === undefined) return undefined;
    const started = await w.make<{ evalRun: { id: string } }>(
      ownerIn(situation, caller),
      'POST',
      `/api/evals/suites/${suite.params.name}/runs`,
      {},
    );
    w.remember(suite.item, started.evalRun.id);
    return { id: started.evalRun.id, params: {}, item: suite.item };
  },
  escalation: async (w, situation, caller) => {
    const { id: runId, marker } = await run(w, situation, caller);
    const owner = ownerIn(situation, caller);
    const id = await openEscalation(
      w.store,
      {
        id: runId,
        workspaceId: situation === 'otherWorkspace' ? w.betaWorkspaceId : w.workspaceId,
        agentId:
          situation === 'restricted'
            ? w.agents.vault
            : situation === 'otherWorkspace'
              ? w.agents.beta
              : w.agents.open,
        userId: w.people[owner].id,
      },
      [],
    );
    return { id, params: {}, item: item(w, situation, caller, 'personal', [id, marker]) };
  },
};
