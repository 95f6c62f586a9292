import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { KernelHarness } from '../support/kernel-harness.ts';
import type { ScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { effects, type PolicyRig, startPolicyRig } from './policy-support.ts';

describe.each(storeTargets())("the organisation's boundary on $kind", (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let builderKey: string;

  const send = async (method: string, path: string, body: unknown, key = h.key) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const setBoundary = (boundary: Record<string, unknown>, key = h.key) =>
    send('PUT', '/api/policy', { boundary }, key);
  const countAgents = async () =>
    (await h.agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM agents')).rows[0]?.n;

  let rig: PolicyRig;
  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'bo@example.com', name: 'Bo' });
    ({ model, h, builderKey } = rig);
  });
  afterAll(async () => rig.stop());
  beforeEach(async () => {
    effects.length = 0;
    model.requests.length = 0;
    expect((await setBoundary({})).status).toBe(200);
  });

  it('is set by admins only, and validated', async () => {
    expect((await setBoundary({ tools: ['lookup'] }, builderKey)).status).toBe(403);
    const invalid = await setBoundary({ tools: ['bad name!'] });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: 'request.invalid' } });
    expect(JSON.stringify(invalid.body)).toContain('boundary.tools.0');
    // A pattern in the spelling of before the naming rule is stored in the current one.
    const stored = await setBoundary({ tools: ['lookup', 'crm.*'], mcpServers: ['crm'], spaces: [] });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      settings: { boundary: { tools: ['lookup', 'crm__*'], spaces: [] } },
    });
  });

  it('keeps builders from granting tools or using spaces outside it, storing nothing', async () => {
    expect((await setBoundary({ tools: ['lookup', 'note', 'crm__*'], mcpServers: ['crm'] })).status).toBe(
      200,
    );
    const before = await countAgents();
    const refused = await send(
      'POST',
      '/api/agents',
      {
        name: 'payer',
        description: 'Pays',
        model: 'scripted:test-model',
        tools: ['lookup', 'pay', 'billing__refund'],
      },
      builderKey,
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'policy.outside_boundary' } });
    const message = String((refused.body.error as { message: string }).message);
    expect(message).toContain('"pay"');
    expect(message).toContain('"billing__refund"');
    expect(await countAgents()).toBe(before);

    const inside = await send(
      'POST',
      '/api/agents',
      {
        name: 'crm-reader',
        description: 'Reads the CRM',
        model: 'scripted:test-model',
        tools: ['lookup', 'note'],
      },
      builderKey,
    );
    expect(inside.status).toBe(201);
    const patched = await send('PATCH', '/api/agents/crm-reader', { tools: ['mail'] }, builderKey);
    expect(patched.status).toBe(403);

    expect((await setBoundary({ spaces: [] })).status).toBe(200);
    expect((await send('POST', '/api/spaces', { name: 'ops', visibility: 'open' })).status).toBe(201);
    const inSpace = await send(
      'POST',
      '/api/agents',
      { name: 'ops-bot', description: 'Ops', model: 'scripted:test-model', space: 'ops' },
      builderKey,
    );
    expect(inSpace.status).toBe(403);
    expect(JSON.stringify(inSpace.body)).toContain('the space \\"ops\\" is outside');
  });

  it('denies, at the next call, a granted tool the boundary no longer allows — recorded with the rule', async () => {
    // The agent was granted every tool before the boundary narrowed; runs already configured feel it.
    expect((await setBoundary({ tools: ['lookup', 'fetch_page'] })).status).toBe(200);
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'hello' } }] },
      { text: 'The note is outside what I may do.' },
    );
    const started = await send('POST', '/api/runs', { agent: 'clerk', task: 'Write a note' });
    expect(started.status).toBe(202);
    const run = await h.agentOs.kernel.runs.wait(h.workspaceId, (started.body.run as RunRecord).id, {
      timeoutMs: 15_000,
      pollMs: 20,
    });
    expect(run.status).toBe('succeeded');
    expect(effects).toEqual([]);
    const toolMessage = (model.requests[1]?.body.messages ?? []).find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('Blocked by policy (boundary.tool)');
    expect(await rig.decisions(run.id)).toEqual(['note:deny:boundary.tool']);
  });
});
