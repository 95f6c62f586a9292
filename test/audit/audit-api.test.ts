import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditEntry } from '../../src/core/audit-log/audit-entry.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { auditAnchorPath } from '../../src/plugins/audit/audit-anchor.ts';
import { AuditCheckpointer } from '../../src/plugins/audit/audit-checkpointer.ts';
import { loadAuditSigner } from '../../src/plugins/audit/audit-signer.ts';
import type { AuditVerification } from '../../src/plugins/audit/verify-audit.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

const tools = new ToolRegistry([
  defineTool({
    name: 'lookup',
    description: 'Looks an order up',
    inputSchema: z.object({ order: z.number() }),
    idempotent: true,
    execute: async ({ order }) => ({ order, status: 'shipped' }),
  }),
]);

type Listing = {
  entries: AuditEntry[];
  next: number | null;
  hasMore: boolean;
  names: Record<string, string>;
};

describe.each(storeTargets())('the audit API on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const get = async <T>(path: string, key = h.key) => {
    const response = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({ name: 'support', instructions: 'You look orders up.', tools: ['lookup'] });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('records each API mutation in order with its actor, and never a body or secret', async () => {
    const user = await h.api<{ user: { id: string } }>('POST', '/api/users', {
      email: 'carol@example.com',
      name: 'Carol',
      role: 'user',
    });
    const minted = await h.api<{ key: { id: string }; secret: string }>('POST', '/api/keys', {
      name: 'carol',
      userId: user.body.user.id,
    });
    expect((await get<{ error: { code: string } }>('/api/audit', minted.body.secret)).status).toBe(403);
    expect((await get('/api/audit/verify', minted.body.secret)).status).toBe(403);
    expect((await h.api('DELETE', `/api/keys/${minted.body.key.id}`)).status).toBe(200);
    expect((await h.api('POST', '/api/users', { email: 'not-an-email', name: 'X' })).status).toBe(400);

    const { status, body } = await get<Listing>('/api/audit?action=');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'request.invalid' } });

    const listing = await get<Listing>('/api/audit?after=0&limit=50');
    expect(listing.status).toBe(200);
    const whoami = await get<{ userId: string; keyId: string }>('/api/whoami');
    const admin = { type: 'user', id: whoami.body.userId, keyId: whoami.body.keyId };
    expect(listing.body.entries.map((e) => [e.action, e.actor, e.resource, e.data])).toEqual([
      ['api.POST /api/users', admin, { type: 'users', id: user.body.user.id }, { status: 201 }],
      ['api.POST /api/keys', admin, { type: 'keys', id: minted.body.key.id }, { status: 201 }],
      // Refusals are recorded too, with the Cedar policies that decided (none matched: default deny).
      ...['audit.read', 'audit.verify'].map((action) => [
        'auth.denied',
        { type: 'user', id: user.body.user.id, keyId: minted.body.key.id },
        { type: 'Workspace', id: h.workspaceId },
        { action, role: 'user', policyIds: [], errors: [] },
      ]),
      ['api.DELETE /api/keys/:id', admin, { type: 'keys', id: minted.body.key.id }, { status: 200 }],
    ]);
    expect(listing.body.entries.every((e) => e.workspaceId === h.workspaceId)).toBe(true);
    expect(JSON.stringify(listing.body)).not.toContain(minted.body.secret);
    expect(JSON.stringify(listing.body.entries)).not.toContain('carol@example.com');

    const page = await get<Listing>('/api/audit?after=0&limit=2');
    expect(page.body.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(page.body).toMatchObject({ next: 2, hasMore: true });
    const rest = await get<Listing>('/api/audit?after=2&action=api.DELETE%20/api/keys/:id');
    expect(rest.body.entries.map((e) => e.action)).toEqual(['api.DELETE /api/keys/:id']);
  });

  it('records a run through the kernel: submit, start, model and tool calls, finish', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: { order: 42 } }] },
      { text: 'Order 42 has shipped' },
    );
    const submitted = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'support',
      task: 'Where is order 42? secret plan',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    const run = submitted.body.run;
    expect(run.status).toBe('succeeded');

    const { body } = await get<Listing>('/api/audit?after=0&limit=100');
    const ofRun = body.entries.filter((e) => e.resource.type === 'run' || e.resource.type === 'runs');
    expect(ofRun.map((e) => e.action)).toEqual([
      'run.submit',
      'run.start',
      'model.call',
      'policy.decision',
      'tool.call',
      'model.call',
      'run.finish',
      'api.POST /api/runs',
    ]);
    expect(ofRun.every((e) => e.resource.id === run.id)).toBe(true);
    const [submit, start, firstModel, decision, tool] = ofRun;
    expect(decision?.data).toMatchObject({ tool: 'lookup', effect: 'allow', ruleId: 'default.allow' });
    expect(submit?.actor).toEqual({ type: 'user', id: run.userId });
    expect(start?.actor).toEqual({ type: 'agent', id: run.agentId, onBehalfOf: run.userId });
    expect(firstModel?.data).toMatchObject({
      model: 'scripted:test-model',
      usage: { input: expect.any(Number), output: expect.any(Number) },
      inputsHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(tool?.data).toMatchObject({ tool: 'lookup', isError: false, via: 'executed' });
    expect(tool?.data.argumentsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ofRun.at(-2)?.data).toEqual({ status: 'succeeded', errorCode: null });
    const everything = JSON.stringify(ofRun);
    expect(everything).not.toContain('order 42');
    expect(everything).not.toContain('shipped');
  });

  it('verifies the chain and exports it as JSON lines', async () => {
    const verified = await get<AuditVerification>('/api/audit/verify');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, problems: [] });
    expect(verified.body).toMatchObject({ entries: 13, lastSeq: 13 });

    const response = await fetch(`${h.url}/api/audit/export?action=run.finish`, {
      headers: { authorization: `Bearer ${h.key}` },
    });
    expect(response.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await response.text()).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as AuditEntry).action)).toEqual(['run.finish']);

    await h.agentOs.store.query(`UPDATE audit_log SET data = '{"status":500}' WHERE seq = 2`);
    const tampered = await get<AuditVerification>('/api/audit/verify');
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.problems).toEqual([{ kind: 'edited', seq: 2, message: expect.any(String) }]);
  });

  it("verifies against the server's own anchor file, which outlives emptied audit tables", async () => {
    const anchorFile = auditAnchorPath(h.config);
    const checkpointer = new AuditCheckpointer(h.agentOs.store, loadAuditSigner(h.config.home), {
      anchorFile,
    });
    await checkpointer.stop();
    const anchored = await get<AuditVerification>('/api/audit/verify');
    expect(anchored.body.anchor).toEqual({
      file: anchorFile,
      checkpoints: 1,
      lastSeq: anchored.body.lastSeq,
    });

    await h.agentOs.store.query('DELETE FROM audit_log');
    await h.agentOs.store.query('DELETE FROM audit_checkpoints');
    const emptied = await get<AuditVerification>('/api/audit/verify');
    expect(emptied.status).toBe(200);
    expect(emptied.body).toMatchObject({ ok: false, entries: 0 });
    expect(emptied.body.problems.map((p) => [p.kind, p.seq])).toEqual([
      ['anchor_missing', anchored.body.lastSeq],
    ]);
  });
});
