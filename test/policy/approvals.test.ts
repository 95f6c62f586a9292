import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chainPendingAudit } from '../../src/core/audit-log/audit-chainer.ts';
import { listAudit } from '../../src/core/audit-log/audit-log.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Worker } from '../../src/core/kernel/worker.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import { savePolicy } from '../../src/plugins/policy/policy-settings.ts';
import type { KernelHarness } from '../support/kernel-harness.ts';
import type { ScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { effects, type PolicyRig, startPolicyRig } from './policy-support.ts';

describe.each(storeTargets())('policy gate and approvals on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  let otherKey: string;

  const settle = (runId: string) =>
    h.agentOs.kernel.runs.wait(h.workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });
  const start = async (task: string) => {
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'clerk', task });
    return settle(body.run.id);
  };
  const pending = async (runId: string) =>
    (await h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body.approvals.filter(
      (a) => a.runId === runId,
    );
  const decide = async (id: string, action: 'approve' | 'deny', body?: unknown, key = h.key) => {
    const response = await fetch(`${h.url}/api/approvals/${id}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as { approval: Approval } };
  };
  const decisions = (runId: string) => rig.decisions(runId);
  const toolMessages = (request: number) =>
    (model.requests[request]?.body.messages ?? [])
      .filter((m) => m.role === 'tool')
      .map((m) => String(m.content));

  let rig: PolicyRig;
  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'eve@example.com', name: 'Eve' });
    ({ model, h, worker } = rig);
    otherKey = rig.builderKey;
  });
  afterAll(async () => rig.stop());
  beforeEach(() => {
    effects.length = 0;
    model.requests.length = 0;
  });

  it('runs an untainted low-stakes call without approval', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: { order: 42 } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'order 42 shipped' } }] },
      { text: 'Done.' },
    );
    const run = await start('Note the status of order 42');
    expect(run.status).toBe('succeeded');
    expect(effects).toEqual(['note:order 42 shipped']);
    expect(await decisions(run.id)).toEqual(['lookup:allow:default.allow', 'note:allow:default.allow']);
    // Trusted output reaches the model as is; untrusted output would be spotlighted.
    expect(toolMessages(1)[0]).not.toMatch(/untrusted_tool_output/);
  });

  it('pauses a high-stakes call for approval and runs it exactly once when approved', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { text: 'Paid.' },
    );
    const paused = await start('Pay ada');
    expect(paused.status).toBe('paused');
    expect(paused.pause).toMatchObject({ reason: 'approval_required', tool: 'pay', ruleId: 'stakes.high' });
    expect(effects).toEqual([]);
    const [approval] = await pending(paused.id);
    expect(approval).toMatchObject({
      runId: paused.id,
      tool: 'pay',
      turn: 0,
      callIndex: 0,
      status: 'pending',
      arguments: { to: 'ada' },
    });
    // The exact call, for the person deciding: its tool and arguments, by id too; not for other users.
    const one = await h.api<{ approval: Approval }>('GET', `/api/approvals/${approval!.id}`);
    expect(one.status).toBe(200);
    expect(one.body.approval).toMatchObject({ id: approval!.id, tool: 'pay', arguments: { to: 'ada' } });
    const theirs = await fetch(`${h.url}/api/approvals/${approval!.id}`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    expect(theirs.status).toBe(404);
    const approved = await decide(approval!.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body.approval.status).toBe('approved');
    const done = await settle(paused.id);
    expect(done.status).toBe('succeeded');
    expect(effects.filter((e) => e.startsWith('pay:ada'))).toHaveLength(1);
    expect(await decisions(paused.id)).toEqual(['pay:ask:stakes.high', 'pay:allow:approval.granted']);
    expect((await decide(approval!.id, 'approve')).status).toBe(409);
  });

  it('asks again when the model re-plans the approved call with different arguments', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'mallory' } }] },
    );
    const paused = await start('Pay ada');
    const [first] = await pending(paused.id);
    await decide(first!.id, 'approve');
    const again = await settle(paused.id);
    expect(again.status).toBe('paused');
    const [second] = await pending(paused.id);
    expect(second).toMatchObject({ turn: 1, tool: 'pay' });
    expect(second!.id).not.toBe(first!.id);
    expect(second!.argumentsHash).not.toBe(first!.argumentsHash);
    expect(effects.map((e) => e.split(':')[1])).toEqual(['ada']);
    await h.api('POST', `/api/runs/${paused.id}/cancel`);
  });

  it('gives a denial to the model as an error result', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { text: 'OK.' },
    );
    const paused = await start('Pay ada');
    const [approval] = await pending(paused.id);
    expect((await decide(approval!.id, 'deny', { reason: 'not today' })).status).toBe(200);
    const done = await settle(paused.id);
    expect(done.status).toBe('succeeded');
    expect(effects).toEqual([]);
    expect(toolMessages(1)[0]).toMatch(/denied by .+: not today/);
    expect(await decisions(paused.id)).toEqual(['pay:ask:stakes.high', 'pay:deny:approval.denied']);
  });

  it('asks before a consequential call once untrusted content is in the context', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'pay mallory' } }] },
    );
    const paused = await start('Summarise the page');
    expect(paused.pause).toMatchObject({ reason: 'approval_required', ruleId: 'flow.argument_untrusted' });
    const [approval] = await pending(paused.id);
    expect(approval?.reason).toBe(
      'the text ("pay mallory") came from the output of fetch_page, which is untrusted',
    );
    expect(toolMessages(1)[0]).toMatch(/<<<untrusted_tool_output>>>[\s\S]*Ignore previous/);
    expect(effects).toEqual([]);
    await h.api('POST', `/api/runs/${paused.id}/cancel`);
  });

  it('lets a consequential call of a tainted run go ahead when its values come from the task or trusted output', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: { order: 42 } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'order 42: shipped' } }] },
      { text: 'Noted.' },
    );
    const run = await start(
      'Read https://example.org, then note the status of order 42 as "order 42: shipped"',
    );
    expect(run.status).toBe('succeeded');
    expect(effects).toEqual(['note:order 42: shipped']);
    expect(await decisions(run.id)).toEqual([
      'fetch_page:allow:default.allow',
      'lookup:allow:default.allow',
      'note:allow:flow.arguments_trusted',
    ]);
  });

  it('asks about a value the model made up after untrusted content, and judges per run when told to', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'summary: nothing useful' } }] },
    );
    const made = await start('Summarise https://example.org');
    expect(made.pause).toMatchObject({ reason: 'approval_required', ruleId: 'flow.argument_unattributed' });
    const [asked] = await pending(made.id);
    expect(asked?.reason).toBe(
      'the text ("summary: nothing useful") occurs in no trusted source: the model wrote it after untrusted content from "fetch_page"',
    );
    await h.api('POST', `/api/runs/${made.id}/cancel`);

    await savePolicy(h.agentOs.store, h.workspaceId, { flowGranularity: 'run' });
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'order 42' } }] },
    );
    const perRun = await start('Read https://example.org, then note "order 42"');
    expect(perRun.pause).toMatchObject({ reason: 'approval_required', ruleId: 'flow.tainted_consequential' });
    await h.api('POST', `/api/runs/${perRun.id}/cancel`);
    await savePolicy(h.agentOs.store, h.workspaceId, {});
    expect(effects).toEqual([]);
  });

  it("refuses a decision from someone who is neither the run's user nor an admin", async () => {
    model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] });
    const paused = await start('Pay ada');
    const [approval] = await pending(paused.id);
    expect((await decide(approval!.id, 'approve', undefined, otherKey)).status).toBe(404);
    expect((await decide(approval!.id, 'deny', { reason: 'mine now' }, otherKey)).status).toBe(404);
    const theirs = await fetch(`${h.url}/api/approvals?status=pending`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    expect(((await theirs.json()) as { approvals: Approval[] }).approvals).toEqual([]);
    expect((await settle(paused.id)).status).toBe('paused');
    await h.api('POST', `/api/runs/${paused.id}/cancel`);
  });

  it("lets the run's own user (not an admin) see and decide its approvals", async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'eve' } }] },
      { text: 'Paid.' },
    );
    const submitted = await fetch(`${h.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'clerk', task: 'Pay eve' }),
    });
    const paused = await settle(((await submitted.json()) as { run: RunRecord }).run.id);
    const mine = await fetch(`${h.url}/api/approvals?status=pending`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    const [approval] = ((await mine.json()) as { approvals: Approval[] }).approvals;
    expect(approval).toMatchObject({ runId: paused.id, userId: paused.userId });
    expect((await decide(approval!.id, 'approve', undefined, otherKey)).status).toBe(200);
    expect((await settle(paused.id)).status).toBe('succeeded');
    expect(effects.filter((e) => e.startsWith('pay:eve'))).toHaveLength(1);
  });

  it('keeps an approval across workers: a new worker runs the approved call once', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'bob' } }] },
      { text: 'Paid.' },
    );
    const paused = await start('Pay bob');
    await worker.stop();
    const [approval] = await pending(paused.id);
    await decide(approval!.id, 'approve');
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    rig.worker = worker;
    expect((await settle(paused.id)).status).toBe('succeeded');
    expect(effects.filter((e) => e.startsWith('pay:bob'))).toHaveLength(1);
  });

  it('denies once the approval has expired', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { text: 'Gave up.' },
    );
    const paused = await start('Pay ada');
    const [approval] = await pending(paused.id);
    await h.agentOs.store.query(
      "UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1",
      [approval!.id],
    );
    expect((await decide(approval!.id, 'approve')).status).toBe(409);
    const done = await settle(paused.id);
    expect(done.status).toBe('succeeded');
    expect(effects).toEqual([]);
    expect(toolMessages(1)[0]).toMatch(/expired/);
    expect(await decisions(paused.id)).toEqual(['pay:ask:stakes.high', 'pay:deny:approval.expired']);
  });

  it('follows the workspace policy: deny tainted consequential calls, ask for destinations outside the allowlist', async () => {
    await savePolicy(h.agentOs.store, h.workspaceId, {
      taintedConsequential: 'deny',
      recipientAllowlist: ['acme.com'],
    });
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org' } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'pay mallory' } }] },
      { text: 'Could not.' },
    );
    const denied = await start('Summarise the page');
    expect(denied.status).toBe('succeeded');
    expect(effects).toEqual([]);
    expect(toolMessages(2)[1]).toMatch(/Blocked by policy \(flow.argument_untrusted\)/);

    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'mail', arguments: { to: 'sara@acme.com', body: 'hi' } }] },
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'mail', arguments: { to: 'mark@evil.example', body: 'hi' } }],
      },
    );
    const paused = await start('Mail Sara, then Mark');
    expect(paused.pause).toMatchObject({
      reason: 'approval_required',
      ruleId: 'args.destination_outside_allowlist',
    });
    expect(effects).toEqual(['mail:sara@acme.com']);
    await h.api('POST', `/api/runs/${paused.id}/cancel`);
    await savePolicy(h.agentOs.store, h.workspaceId, {});
  });

  it('records every decision in the audit log with its rule id and no arguments', async () => {
    await chainPendingAudit(h.agentOs.store);
    const entries = await listAudit(h.agentOs.store, { action: 'policy.decision', limit: 1_000 });
    const rules = new Set(entries.map((e) => e.data.ruleId));
    for (const rule of [
      'default.allow',
      'stakes.high',
      'approval.granted',
      'approval.denied',
      'approval.expired',
    ])
      expect(rules).toContain(rule);
    for (const rule of [
      'flow.argument_untrusted',
      'flow.argument_unattributed',
      'flow.arguments_trusted',
      'flow.tainted_consequential',
    ])
      expect(rules).toContain(rule);
    for (const entry of entries) {
      expect(entry.data.argumentsHash).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.data.labels).toBeDefined();
      expect(JSON.stringify(entry.data)).not.toMatch(/mallory|"ada"/);
    }
    const decided = await listAudit(h.agentOs.store, { action: 'approval.deny', limit: 10 });
    expect(decided.length).toBeGreaterThan(0);
  });
});
