import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import type { Role } from '../../src/core/identity/roles.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { requestApproval } from '../../src/plugins/policy/approval-repo.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type Resource =
  | 'agents'
  | 'runs'
  | 'memories'
  | 'sources'
  | 'skills'
  | 'approvals'
  | 'audit'
  | 'keys'
  | 'triggers';
/** Same workspace; a restricted space of it the builder and user are not members of; the other workspace. */
type Where = 'same' | 'space' | 'other';
const ROLES: readonly Role[] = ['admin', 'builder', 'user'];

const HIDDEN = { admin: 200, builder: 404, user: 404 } as const;

/** Per resource: the status each role gets in each place (a missing place has no request of that kind). */
const EXPECTED: Record<Resource, Partial<Record<Where, Record<Role, number>>>> = {
  agents: {
    same: { admin: 200, builder: 200, user: 403 },
    space: HIDDEN,
    other: { admin: 404, builder: 404, user: 404 },
  },
  // A run is its user's (here the user's); admins see every run, builders do not read people's runs.
  runs: { same: { admin: 200, builder: 404, user: 200 }, other: { admin: 404, builder: 404, user: 404 } },
  memories: {
    same: { admin: 201, builder: 201, user: 403 },
    space: HIDDEN,
    other: { admin: 404, builder: 404, user: 404 },
  },
  sources: {
    same: { admin: 201, builder: 201, user: 403 },
    space: HIDDEN,
    other: { admin: 404, builder: 404, user: 404 },
  },
  skills: {
    same: { admin: 201, builder: 201, user: 403 },
    space: HIDDEN,
    other: { admin: 404, builder: 404, user: 404 },
  },
  // Deciding: the run's user (here: the user) or an admin; to anyone else the approval does not exist.
  approvals: {
    same: { admin: 200, builder: 404, user: 200 },
    other: { admin: 404, builder: 404, user: 404 },
  },
  audit: { same: { admin: 200, builder: 403, user: 403 }, other: { admin: 200, builder: 403, user: 403 } },
  keys: { same: { admin: 200, builder: 403, user: 403 }, other: { admin: 404, builder: 403, user: 403 } },
  triggers: { same: { admin: 201, builder: 201, user: 403 }, other: { admin: 404, builder: 404, user: 403 } },
};

const cells = (Object.keys(EXPECTED) as Resource[]).flatMap((resource) =>
  (['same', 'space', 'other'] as const).flatMap((where) => {
    const statuses = EXPECTED[resource][where];
    return statuses === undefined
      ? []
      : ROLES.map((role) => ({ resource, where, role, status: statuses[role] }));
  }),
);

describe.each(storeTargets())('permission matrix through the HTTP API on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const keys = {} as Record<Role, string>;
  const alpha = {
    agentId: '',
    runId: '',
    approvals: {} as Record<Role, string>,
    vaultAgentId: '',
    vaultMemoryId: '',
  };
  const beta = {
    workspaceId: '',
    adminKey: '',
    userId: '',
    agentId: '',
    runId: '',
    memoryId: '',
    approvalId: '',
    keyId: '',
    sourceId: '',
  };
  /** Everything of the other workspace that must never appear in an answer to this one. */
  let betaSecrets: string[] = [];

  const send = async (key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const definition = (name: string) =>
    agentDefinitionSchema.parse({ name, description: `${name} agent`, model: 'scripted:test-model' });

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    const store = h.agentOs.store;
    keys.admin = h.key;
    for (const role of ['builder', 'user'] as const) {
      keys[role] = (
        await addMember(store, h.workspaceId, { email: `${role}@alpha.example`, name: role, role })
      ).key;
    }
    alpha.agentId = (
      await createAgent(store, { workspaceId: h.workspaceId, definition: definition('alpha-agent') })
    ).id;
    const run = await send(keys.user, 'POST', '/api/runs', { agent: 'alpha-agent', task: 'alpha task' });
    alpha.runId = (JSON.parse(run.text) as { run: { id: string } }).run.id;
    const userId = (JSON.parse((await send(keys.user, 'GET', '/api/whoami')).text) as { userId: string })
      .userId;
    for (const [turn, role] of ROLES.entries()) {
      const approval = await requestApproval(store, {
        runId: alpha.runId,
        turn,
        callIndex: 0,
        tool: 'pay',
        argumentsHash: `h${turn}`,
        policyVersion: 'v',
        workspaceId: h.workspaceId,
        userId,
        ruleId: 'stakes.high',
        reason: 'test',
        ttlMs: 3_600_000,
        arguments: { amount: 1 },
      });
      alpha.approvals[role] = approval.id;
    }

    // A restricted space only the admin (who sees every space) reaches, with an agent, a memory, a source and a skill.
    const vault = await send(keys.admin, 'POST', '/api/spaces', { name: 'vault', visibility: 'restricted' });
    expect(vault.status).toBe(201);
    const vaultId = (JSON.parse(vault.text) as { space: { id: string } }).space.id;
    const vaultAgent = await send(keys.admin, 'POST', '/api/agents', {
      name: 'vault-agent',
      description: 'Guards the vault',
      model: 'scripted:test-model',
      space: 'vault',
    });
    alpha.vaultAgentId = (JSON.parse(vaultAgent.text) as { agent: { id: string } }).agent.id;
    const vaultMemory = await send(keys.admin, 'POST', '/api/memories', {
      kind: 'fact',
      content: 'vault combination',
      scope: 'space',
      scopeId: vaultId,
    });
    expect(vaultMemory.status, vaultMemory.text).toBe(201);
    alpha.vaultMemoryId = (JSON.parse(vaultMemory.text) as { memory: { id: string } }).memory.id;
    const vaultSource = await send(keys.admin, 'POST', '/api/sources', {
      name: 'vault-docs',
      kind: 'mcp-resources',
      space: 'vault',
      config: { server: 'vault-wiki' },
    });
    expect(vaultSource.status, vaultSource.text).toBe(201);
    const vaultSkill = await send(keys.admin, 'POST', '/api/skills', {
      name: 'vault-skill',
      description: 'Opens the vault',
      instructions: 'Turn the dial.',
      space: 'vault',
    });
    expect(vaultSkill.status, vaultSkill.text).toBe(201);

    const workspace = await createWorkspace(store, 'beta-secret-workspace');
    beta.workspaceId = workspace.id;
    const betaAdmin = await addMember(store, beta.workspaceId, {
      email: 'boss@beta-secret.example',
      name: 'Beta Boss',
      role: 'admin',
    });
    beta.userId = betaAdmin.id;
    beta.adminKey = betaAdmin.key;
    beta.agentId = (
      await createAgent(store, { workspaceId: beta.workspaceId, definition: definition('beta-secret-agent') })
    ).id;
    const betaRun = await createRun(store, {
      workspaceId: beta.workspaceId,
      agentId: beta.agentId,
      agentVersion: 1,
      userId: betaAdmin.id,
      input: { task: 'beta secret task' },
      priority: 'standard',
    });
    beta.runId = betaRun.id;
    const memory = await send(beta.adminKey, 'POST', '/api/memories', {
      kind: 'fact',
      content: 'beta-secret-fact',
      scope: 'workspace',
    });
    beta.memoryId = (JSON.parse(memory.text) as { memory: { id: string } }).memory.id;
    beta.approvalId = (
      await requestApproval(store, {
        runId: beta.runId,
        turn: 0,
        callIndex: 0,
        tool: 'pay',
        argumentsHash: 'h',
        policyVersion: 'v',
        workspaceId: beta.workspaceId,
        userId: betaAdmin.id,
        ruleId: 'stakes.high',
        reason: 'test',
        ttlMs: 3_600_000,
        arguments: { amount: 1 },
      })
    ).id;
    const betaSource = await send(beta.adminKey, 'POST', '/api/sources', {
      name: 'beta-secret-docs',
      kind: 'mcp-resources',
      config: { server: 'beta-wiki' },
    });
    beta.sourceId = (JSON.parse(betaSource.text) as { source: { id: string } }).source.id;
    const betaSkill = await send(beta.adminKey, 'POST', '/api/skills', {
      name: 'beta-secret-skill',
      description: 'Beta only',
      instructions: 'beta-secret instructions',
    });
    expect(betaSkill.status, betaSkill.text).toBe(201);
    const key = await send(beta.adminKey, 'POST', '/api/keys', { name: 'beta second key' });
    beta.keyId = (JSON.parse(key.text) as { key: { id: string } }).key.id;
    betaSecrets = [
      beta.workspaceId,
      'beta-secret',
      beta.userId,
      beta.agentId,
      beta.runId,
      beta.memoryId,
      beta.approvalId,
      beta.keyId,
      beta.sourceId,
    ];
    expect(betaSecrets.every((secret) => secret.length > 0)).toBe(true);
  });

  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  const request = (resource: Resource, where: Where, role: Role): [string, string, unknown?] => {
    const same = where === 'same';
    if (where === 'space') return inSpace(resource);
    switch (resource) {
      case 'sources':
        return same
          ? [
              'POST',
              '/api/sources',
              { name: `docs-by-${role}`, kind: 'mcp-resources', config: { server: 'wiki' } },
            ]
          : ['GET', `/api/sources/${beta.sourceId}`];
      case 'skills':
        return same
          ? [
              'POST',
              '/api/skills',
              { name: `skill-by-${role}`, description: 'A skill', instructions: 'Be kind.' },
            ]
          : ['GET', '/api/skills/beta-secret-skill'];
      case 'agents':
        return same
          ? ['PATCH', `/api/agents/${alpha.agentId}`, { description: `changed by ${role}` }]
          : ['GET', `/api/agents/${beta.agentId}`];
      case 'runs':
        return same ? ['GET', `/api/runs/${alpha.runId}`] : ['POST', `/api/runs/${beta.runId}/cancel`];
      case 'memories':
        return same
          ? ['POST', '/api/memories', { kind: 'fact', content: `alpha fact by ${role}`, scope: 'workspace' }]
          : ['GET', `/api/memories/${beta.memoryId}`];
      case 'approvals':
        return same
          ? ['POST', `/api/approvals/${alpha.approvals[role]}/approve`]
          : ['POST', `/api/approvals/${beta.approvalId}/approve`];
      case 'audit':
        return same ? ['GET', '/api/audit?limit=500'] : ['GET', '/api/audit/export'];
      case 'keys':
        return same ? ['GET', '/api/keys'] : ['DELETE', `/api/keys/${beta.keyId}`];
      case 'triggers':
        return same
          ? ['POST', '/api/triggers', { kind: 'webhook', agent: 'alpha-agent' }]
          : ['POST', '/api/triggers', { kind: 'webhook', agent: beta.agentId }];
    }
  };

  /** Reading what lives in the restricted space. */
  const inSpace = (resource: Resource): [string, string] => {
    switch (resource) {
      case 'agents':
        return ['GET', `/api/agents/${alpha.vaultAgentId}`];
      case 'memories':
        return ['GET', `/api/memories/${alpha.vaultMemoryId}`];
      case 'sources':
        return ['GET', '/api/sources/vault-docs'];
      case 'skills':
        return ['GET', '/api/skills/vault-skill'];
      default:
        throw new Error(`no space cell for ${resource}`);
    }
  };

  it.each(cells)('$resource, $role, $where → $status', async ({ resource, where, role, status }) => {
    const [method, path, body] = request(resource, where, role);
    const response = await send(keys[role], method, path, body);
    expect(response.status, response.text).toBe(status);
    if (status === 403)
      expect(JSON.parse(response.text)).toMatchObject({ error: { code: 'auth.forbidden' } });
    // An id the caller sent may be echoed in a 404; nothing else of the other workspace may appear.
    const sent = `${path} ${JSON.stringify(body ?? null)}`;
    for (const secret of betaSecrets.filter((s) => !sent.includes(s)))
      expect(response.text).not.toContain(secret);
  });

  it('left the other workspace untouched: its key still works and its run is still queued', async () => {
    const whoami = await send(beta.adminKey, 'GET', '/api/whoami');
    expect(whoami.status).toBe(200);
    const run = await send(beta.adminKey, 'GET', `/api/runs/${beta.runId}`);
    expect(JSON.parse(run.text)).toMatchObject({ run: { status: 'queued' } });
  });

  it('records each denial in the audit log with the action', async () => {
    const { text } = await send(keys.admin, 'GET', '/api/audit?action=auth.denied&limit=500');
    const entries = (JSON.parse(text) as { entries: { data: { action: string; role: string } }[] }).entries;
    expect(entries.map((e) => `${e.data.role}:${e.data.action}`)).toEqual(
      expect.arrayContaining([
        'user:agents.update',
        'builder:audit.read',
        'user:keys.manage',
        'user:triggers.manage',
      ]),
    );
  });
});
