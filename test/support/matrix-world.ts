import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import { createApiKey } from '../../src/core/identity/api-keys.ts';
import { addSpaceMember, createSpace } from '../../src/core/identity/space-repo.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from './kernel-harness.ts';
import { addMember, type TestMember } from './members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from './scripted-model-server.ts';

/** Who calls: the three roles, and a read-only API key of the user. */
export const PRINCIPALS = ['admin', 'builder', 'user', 'readKey'] as const;
export type Principal = (typeof PRINCIPALS)[number];

export const SITUATIONS = ['own', 'otherUser', 'restricted', 'otherWorkspace'] as const;
export type Situation = (typeof SITUATIONS)[number];

/**
 * The people of the world: the callers' users, `olga` (another user of the workspace), `bea` (another builder,
 * who creates the "other user's" workspace items), `vera` (a member of the restricted space), `beta` (admin of
 * the other workspace).
 */
export type Person = 'admin' | 'builder' | 'user' | 'olga' | 'bea' | 'vera' | 'beta';

/** Whose an item is, for deciding who may see it (the test's own statement of the policy, see matrix-rule.ts). */
export type Ownership = 'workspace' | 'personal' | 'private';

/** Something a principal may or may not see: an id or a distinctive content marker, with where it lives. */
export interface Secret {
  text: string;
  ownership: Ownership;
  owner: Person;
  restricted: boolean;
  foreign: boolean;
}

export interface Answer {
  status: number;
  text: string;
}

export interface World {
  h: KernelHarness;
  store: Store;
  workspaceId: string;
  betaWorkspaceId: string;
  people: Record<Person, TestMember>;
  /** The API key each principal calls with. */
  keys: Record<Principal, string>;
  vaultSpaceId: string;
  /** An agent in no space and one in the restricted space, and the other workspace's agent, for runs. */
  agents: { open: string; vault: string; beta: string };
  secrets: Secret[];
  /** A fresh lowercase name part, unique in the world. */
  unique(prefix: string): string;
  send(key: string, method: string, path: string, body?: unknown): Promise<Answer>;
  /** `send`, expecting a 2xx, returning the parsed body. */
  make<T>(person: Person, method: string, path: string, body?: unknown): Promise<T>;
  remember(secret: Omit<Secret, 'text'>, ...texts: string[]): void;
  stop(): Promise<void>;
}

export const personOf = (principal: Principal): Person => (principal === 'readKey' ? 'user' : principal);

/** The person who owns a situation's item when `caller` asks for their own. */
export function ownerIn(situation: Situation, caller: Person): Person {
  const owners: Record<Situation, Person> = {
    own: caller,
    otherUser: 'olga',
    restricted: 'vera',
    otherWorkspace: 'beta',
  };
  return owners[situation];
}

export async function startMatrixWorld(store: Store): Promise<{ world: World; model: ScriptedModelServer }> {
  const model = await startScriptedModelServer();
  const h = await startKernelHarness({
    store,
    modelBaseUrl: model.url,
    tools: new ToolRegistry([]),
    roles: ['api'],
  });
  let counter = 0;
  const send = async (key: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const add = (workspaceId: string, name: string, role: 'admin' | 'builder' | 'user') =>
    addMember(store, workspaceId, { email: `${name}@matrix.example`, name: `${name} person`, role });
  const adminId = (JSON.parse((await send(h.key, 'GET', '/api/whoami')).text) as { userId: string }).userId;
  const betaWorkspace = await createWorkspace(store, 'matrix-beta');
  const people: Record<Person, TestMember> = {
    admin: { id: adminId, key: h.key },
    builder: await add(h.workspaceId, 'builder', 'builder'),
    user: await add(h.workspaceId, 'user', 'user'),
    olga: await add(h.workspaceId, 'olga', 'user'),
    bea: await add(h.workspaceId, 'bea', 'builder'),
    vera: await add(h.workspaceId, 'vera', 'user'),
    beta: await add(betaWorkspace.id, 'beta', 'admin'),
  };
  const readKey = await createApiKey(store, {
    workspaceId: h.workspaceId,
    userId: people.user.id,
    name: 'read only',
    scope: 'read',
  });
  const vault = await createSpace(store, {
    workspaceId: h.workspaceId,
    name: 'vault',
    visibility: 'restricted',
  });
  await addSpaceMember(store, vault.id, people.vera.id);
  const agent = async (workspaceId: string, name: string, space?: string) =>
    (
      await createAgent(store, {
        workspaceId,
        definition: agentDefinitionSchema.parse({
          name,
          description: `${name} agent`,
          model: 'scripted:test-model',
          ...(space === undefined ? {} : { space }),
        }),
      })
    ).id;
  const world: World = {
    h,
    store,
    workspaceId: h.workspaceId,
    betaWorkspaceId: betaWorkspace.id,
    people,
    keys: { admin: h.key, builder: people.builder.key, user: people.user.key, readKey: readKey.secret },
    vaultSpaceId: vault.id,
    agents: {
      open: await agent(h.workspaceId, 'open-agent'),
      vault: await agent(h.workspaceId, 'vault-agent', vault.id),
      beta: await agent(betaWorkspace.id, 'beta-agent'),
    },
    secrets: [],
    unique: (prefix) => `${prefix}${(counter++).toString(36)}`,
    send,
    make: async <T>(person: Person, method: string, path: string, body?: unknown) => {
      const answer = await send(people[person].key, method, path, body);
      if (answer.status >= 300) {
        throw new Error(`fixture ${method} ${path} as ${person}: ${answer.status} ${answer.text}`);
      }
      return JSON.parse(answer.text) as T;
    },
    remember: (secret, ...texts) => {
      for (const text of texts) world.secrets.push({ ...secret, text });
    },
    stop: async () => {
      await h.agentOs.stop();
      await model.close();
    },
  };
  world.remember(
    { ownership: 'workspace', owner: 'beta', restricted: false, foreign: true },
    betaWorkspace.id,
    people.beta.id,
    'matrix-beta',
    world.agents.beta,
  );
  world.remember(
    { ownership: 'workspace', owner: 'vera', restricted: true, foreign: false },
    world.agents.vault,
  );
  return { world, model };
}
