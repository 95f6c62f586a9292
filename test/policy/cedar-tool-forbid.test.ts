import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chainPendingAudit } from '../../src/core/audit-log/audit-chainer.ts';
import { listAudit } from '../../src/core/audit-log/audit-log.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { KernelHarness } from '../support/kernel-harness.ts';
import type { ScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { effects, type PolicyRig, startPolicyRig, TOOL_NAMES } from './policy-support.ts';

const NO_NOTE = '@id("no_note") forbid (principal, action == Action::"callTool", resource == Tool::"note");';

describe.each(storeTargets())('workspace Cedar policies end to end on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let builderKey: string;

  const put = async (policies: string, key = h.key) => {
    const response = await fetch(`${h.url}/api/policies/cedar`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ policies }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const start = async (agent: string, task: string, key = h.key) => {
    const response = await fetch(`${h.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent, task }),
    });
    return { status: response.status, body: (await response.json()) as { run: RunRecord } };
  };

  let rig: PolicyRig;
  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'bob@example.com', name: 'Bob' });
    ({ model, h, builderKey } = rig);
    await h.createAgent({ name: 'payroll', instructions: 'You pay people.', tools: TOOL_NAMES });
  });
  afterAll(async () => rig.stop());
  beforeEach(() => {
    effects.length = 0;
    model.requests.length = 0;
  });

  it('lets only admins change the policies, and refuses invalid text with Cedar messages, storing nothing', async () => {
    expect((await put(NO_NOTE, builderKey)).status).toBe(403);
    const stored = await put(NO_NOTE);
    expect(stored).toMatchObject({ status: 200, body: { policies: NO_NOTE, ids: ['workspace.no_note'] } });
    const invalid = await put(
      'forbid (principal, action == Action::"callTool", resource) when { resource.owner };',
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: 'request.invalid' } });
    expect(JSON.stringify(invalid.body)).toContain('owner');
    const current = await h.api<{ policies: string }>('GET', '/api/policies/cedar');
    expect(current.body.policies).toBe(NO_NOTE);
  });

  it("gives a run the workspace forbid on a tool as the tool's result, recorded with the rule id", async () => {
    expect((await put(NO_NOTE)).status).toBe(200);
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'hello' } }] },
      { text: 'I could not write the note.' },
    );
    const started = await start('clerk', 'Write a note');
    const run = await h.agentOs.kernel.runs.wait(h.workspaceId, started.body.run.id, {
      timeoutMs: 15_000,
      pollMs: 20,
    });
    expect(run.status).toBe('succeeded');
    expect(effects).toEqual([]);
    const toolMessages = (model.requests[1]?.body.messages ?? []).filter((m) => m.role === 'tool');
    expect(String(toolMessages[0]?.content)).toContain(
      "forbidden by the workspace's Cedar policy workspace.no_note",
    );
    expect(await rig.decisions(run.id)).toEqual(['note:deny:cedar:workspace.no_note']);
    await chainPendingAudit(h.agentOs.store);
    const audit = await listAudit(h.agentOs.store, {
      workspaceId: h.workspaceId,
      action: 'policy.decision',
      limit: 1_000,
    });
    expect(JSON.stringify(audit)).toContain('cedar:workspace.no_note');
  });

  it('forbids a role from starting runs of one agent, and records the denial', async () => {
    const policy =
      '@id("builders_no_payroll") forbid (principal in Role::"builder", action == Action::"runs.start", resource) when { resource is Agent && resource.name == "payroll" };';
    expect((await put(policy)).status).toBe(200);
    const refused = await start('payroll', 'Pay everyone', builderKey);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('workspace.builders_no_payroll');
    expect((await start('clerk', 'Hello', builderKey)).status).toBe(202);
    await chainPendingAudit(h.agentOs.store);
    const denials = await listAudit(h.agentOs.store, {
      workspaceId: h.workspaceId,
      action: 'auth.denied',
      limit: 1_000,
    });
    expect(denials.at(-1)?.data).toMatchObject({
      action: 'runs.start',
      role: 'builder',
      policyIds: ['workspace.builders_no_payroll'],
    });
    expect((await put('')).status).toBe(200);
  });
});
