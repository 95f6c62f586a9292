import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import type { Role } from '../../src/core/identity/roles.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { authorize } from '../../src/plugins/policy/authorize.ts';
import {
  agentEntity,
  toolEntity,
  userEntity,
  workspaceEntity,
} from '../../src/plugins/policy/cedar/cedar-entities.ts';
import type { CedarAction } from '../../src/plugins/policy/cedar/cedar-schema.ts';
import { DEFAULT_CEDAR_POLICIES } from '../../src/plugins/policy/cedar/default-policies.ts';
import {
  loadWorkspaceCedarPolicies,
  saveWorkspaceCedarPolicies,
  validateCedarPolicies,
} from '../../src/plugins/policy/cedar/workspace-cedar-policies.ts';
import { loadPolicy } from '../../src/plugins/policy/policy-settings.ts';
import { storeTargets } from '../support/test-stores.ts';

const WS = 'ws_a';
const member = (role: Role, workspaceId = WS) => userEntity({ userId: `usr_${role}`, workspaceId, role });
const allowed = (role: Role, action: CedarAction, workspacePolicies?: Record<string, string>) =>
  authorize({
    principal: member(role),
    action,
    resource: workspaceEntity(WS),
    ...(workspacePolicies === undefined ? {} : { workspacePolicies }),
  }).allowed;

describe('authorize() under the shipped policies', () => {
  const cases: [CedarAction, boolean, boolean, boolean][] = [
    // action, admin, builder, user
    ['agents.read', true, true, true],
    ['agents.create', true, true, false],
    ['agents.update', true, true, false],
    ['agents.delete', true, true, false],
    ['runs.start', true, true, true],
    ['runs.read', true, true, true],
    ['runs.cancel', true, true, true],
    ['memories.write', true, true, true],
    ['approvals.decide', true, true, true],
    ['triggers.manage', true, true, false],
    ['mcp.read', true, true, false],
    ['databases.read', true, true, false],
    ['databases.manage', true, false, false],
    ['keys.manage', true, false, false],
    ['users.manage', true, false, false],
    ['policies.manage', true, false, false],
    ['audit.read', true, false, false],
    ['audit.verify', true, false, false],
    ['memories.consolidate', true, false, false],
  ];
  it.each(cases)('%s: admin %s, builder %s, user %s', (action, admin, builder, user) => {
    expect([allowed('admin', action), allowed('builder', action), allowed('user', action)]).toEqual([
      admin,
      builder,
      user,
    ]);
  });

  it('ships policies that validate against the schema', () => {
    expect(validateCedarPolicies(Object.values(DEFAULT_CEDAR_POLICIES).join('\n'))).toMatchObject({
      ok: true,
    });
  });

  it('names the permit that allowed, and denies by default with no reason', () => {
    const yes = authorize({
      principal: member('admin'),
      action: 'keys.manage',
      resource: workspaceEntity(WS),
    });
    expect(yes).toEqual({ allowed: true, reasons: ['default.admins'], errors: [] });
    const no = authorize({ principal: member('user'), action: 'keys.manage', resource: workspaceEntity(WS) });
    expect(no).toEqual({ allowed: false, reasons: [], errors: [] });
  });

  it('allows nothing in another workspace, whatever the role', () => {
    const decision = authorize({
      principal: member('admin', 'ws_b'),
      action: 'agents.read',
      resource: workspaceEntity(WS),
    });
    expect(decision.allowed).toBe(false);
  });

  it('lets a forbid win over every permit', () => {
    const policies = {
      'workspace.no_agents':
        'forbid (principal in Role::"builder", action == Action::"agents.create", resource);',
    };
    expect(allowed('admin', 'agents.create', policies)).toBe(true);
    expect(allowed('builder', 'agents.create', policies)).toBe(false);
    expect(allowed('builder', 'agents.update', policies)).toBe(true);
    const decision = authorize({
      principal: member('builder'),
      action: 'agents.create',
      resource: workspaceEntity(WS),
      workspacePolicies: policies,
    });
    expect(decision.reasons).toEqual(['workspace.no_agents']);
  });

  it('forbids starting runs of one agent for one role, and one tool for agents', () => {
    const agent = agentEntity({ agentId: 'agt_1', name: 'payroll', workspaceId: WS });
    const policies = {
      'workspace.p':
        'forbid (principal in Role::"user", action == Action::"runs.start", resource) when { resource is Agent && resource.name == "payroll" };',
      'workspace.t': 'forbid (principal, action == Action::"callTool", resource == Tool::"pay");',
    };
    const start = (role: Role) =>
      authorize({
        principal: member(role),
        action: 'runs.start',
        resource: agent,
        workspacePolicies: policies,
      }).allowed;
    expect([start('admin'), start('builder'), start('user')]).toEqual([true, true, false]);
    const call = (tool: string) =>
      authorize({
        principal: agentEntity({ agentId: 'agt_1', name: 'payroll', workspaceId: WS, actingFor: 'usr_user' }),
        action: 'callTool',
        resource: toolEntity({ name: tool, effect: 'write', stakes: 'high' }),
        context: {
          workspace: { __entity: { type: 'Workspace', id: WS } },
          tool,
          effect: 'write',
          stakes: 'high',
          tainted: false,
        },
        entities: [member('user')],
        workspacePolicies: policies,
      });
    expect(call('lookup').allowed).toBe(true);
    expect(call('pay')).toMatchObject({ allowed: false, reasons: ['workspace.t'] });
  });

  it('refuses text that does not parse or does not match the schema, with Cedar messages', () => {
    const syntax = validateCedarPolicies('forbid (principal, action');
    expect(syntax.ok).toBe(false);
    const schema = validateCedarPolicies(
      'forbid (principal, action == Action::"callTool", resource) when { resource.colour == "red" };',
    );
    expect(schema).toMatchObject({ ok: false });
    expect(JSON.stringify(schema)).toContain('colour');
    const unknownAction = validateCedarPolicies('forbid (principal, action == Action::"fly", resource);');
    expect(unknownAction.ok).toBe(false);
    const fine = validateCedarPolicies(
      '@id("no_pay") forbid (principal, action == Action::"callTool", resource == Tool::"pay");\npermit (principal in Role::"user", action == Action::"agents.read", resource) when { resource in principal.workspace };',
    );
    expect(fine).toMatchObject({ ok: true });
    expect(fine.ok && Object.keys(fine.policies)).toEqual(['workspace.no_pay', 'workspace.policy1']);
  });
});

describe.each(storeTargets())('workspace Cedar policies on $kind', (target) => {
  let store: Store;
  let workspaceId: string;

  beforeAll(async () => {
    store = await target.open();
    workspaceId = (await createWorkspace(store, 'cedar-unit')).id;
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores valid text, refuses invalid text without changing what is stored, and bumps the policy version', async () => {
    const before = await loadPolicy(store, workspaceId);
    const text = '@id("no_pay") forbid (principal, action == Action::"callTool", resource == Tool::"pay");';
    await saveWorkspaceCedarPolicies(store, { workspaceId, text, updatedBy: null });
    const after = await loadPolicy(store, workspaceId);
    expect(after.version).not.toBe(before.version);
    expect(Object.keys(after.cedarPolicies)).toEqual(['workspace.no_pay']);

    const refused = await saveWorkspaceCedarPolicies(store, {
      workspaceId,
      text: 'forbid (principal, action == Action::"callTool", resource) when { context.nope };',
      updatedBy: null,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentOsError);
    expect((refused as AgentOsError).code).toBe('request.invalid');
    expect((refused as AgentOsError).message).toContain('nope');
    expect((await loadWorkspaceCedarPolicies(store, workspaceId)).text).toBe(text);
    expect((await loadPolicy(store, workspaceId)).version).toBe(after.version);
  });
});
