import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit-log/audit-entry.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

type Page = { entries: AuditEntry[]; next: number | null; hasMore: boolean; names: Record<string, string> };

describe.each(storeTargets())('audit pages and names on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let member: TestMember;
  let admin: { userId: string; keyId: string };
  let supportRun: RunRecord;
  let vaultRun: RunRecord;
  let memberRun: RunRecord;
  const ids: Record<string, string> = {};
  const get = async <T>(path: string, key = h.key) => {
    const response = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const runOf = async (agent: string, key = h.key) => {
    model.enqueue({ text: `answer of ${agent}` });
    const response = await fetch(`${h.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent, task: 'Say hello', wait: true, waitTimeoutMs: 20_000 }),
    });
    const { run } = (await response.json()) as { run: RunRecord };
    expect(run.status).toBe('succeeded');
    return run;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
    });
    admin = (await get<{ userId: string; keyId: string }>('/api/whoami')).body;
    member = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'dana@example.com',
      name: 'Dana',
      role: 'user',
    });
    // A workspace rule lets members read the audit log; what they may not see must still go unnamed.
    const policies = await h.api('PUT', '/api/policies/cedar', {
      policies: 'permit (principal in Role::"user", action == Action::"audit.read", resource);',
    });
    expect(policies.status).toBe(200);
    const vault = await h.api<{ space: { id: string } }>('POST', '/api/spaces', {
      name: 'vault',
      visibility: 'restricted',
    });
    ids.vault = vault.body.space.id;
    const agent = { instructions: 'Answer.', model: 'scripted:test-model', description: 'test' };
    const support = await h.api<{ agent: { id: string } }>('POST', '/api/agents', {
      ...agent,
      name: 'support',
    });
    ids.support = support.body.agent.id;
    const hidden = await h.api<{ agent: { id: string } }>('POST', '/api/agents', {
      ...agent,
      name: 'vault-keeper',
      space: 'vault',
    });
    ids.vaultKeeper = hidden.body.agent.id;
    supportRun = await runOf('support');
    vaultRun = await runOf('vault-keeper');
    memberRun = await runOf('support', member.key);
    const mcp = await h.api<{ server: { id: string } }>('POST', '/api/mcp/servers', {
      name: 'self',
      transport: 'http',
      url: `${h.url}/mcp`,
      headers: { Authorization: `Bearer ${h.key}` },
    });
    ids.mcp = mcp.body.server.id;
    const group = await h.api<{ group: { id: string } }>('POST', '/api/groups', { name: 'ops' });
    ids.group = group.body.group.id;
    // A refusal is recorded against the workspace.
    expect((await get('/api/keys', member.key)).status).toBe(403);
    // Enough entries for several pages of every size below.
    for (let n = 0; n < 12; n += 1) {
      expect((await h.api('PATCH', '/api/agents/support', { description: `revision ${n}` })).status).toBe(
        200,
      );
    }
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('walks the whole log newest first, each entry exactly once, with a cursor that ends', async () => {
    const everything = await get<Page>('/api/audit?after=0&limit=500');
    expect(everything.body.hasMore).toBe(false);
    const all = everything.body.entries.map((e) => e.seq);
    expect(all.length).toBeGreaterThan(30);

    const first = await get<Page>('/api/audit');
    expect(first.body.entries).toHaveLength(Math.min(50, all.length));
    expect(first.body.entries[0]?.seq).toBe(all.at(-1));

    const seen: number[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const query: string = before === null ? '' : `&before=${before}`;
      const page: { body: Page } = await get<Page>(`/api/audit?limit=7${query}`);
      seen.push(...page.body.entries.map((e) => e.seq));
      expect(page.body.hasMore).toBe(page.body.next !== null);
      before = page.body.next;
      pages += 1;
    } while (before !== null);
    expect(seen).toEqual([...all].reverse());
    expect(pages).toBe(Math.ceil(all.length / 7));

    const forward: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { body: Page } = await get<Page>(`/api/audit?limit=9&after=${after}`);
      forward.push(...page.body.entries.map((e) => e.seq));
      after = page.body.next;
    }
    expect(forward).toEqual(all);
  });

  it('keeps the action filter across pages', async () => {
    const action = encodeURIComponent('api.PATCH /api/agents/:idOrName');
    const first = await get<Page>(`/api/audit?action=${action}&limit=5`);
    expect(first.body).toMatchObject({ hasMore: true });
    const second = await get<Page>(`/api/audit?action=${action}&limit=10&before=${first.body.next}`);
    const pages = [...first.body.entries, ...second.body.entries];
    expect(pages).toHaveLength(12);
    expect(new Set(pages.map((e) => e.action))).toEqual(new Set(['api.PATCH /api/agents/:idOrName']));
    expect(second.body).toMatchObject({ hasMore: false, next: null });
  });

  it('refuses a bad limit or cursor with a 400 that says what is wrong', async () => {
    for (const query of [
      'limit=0',
      'limit=501',
      'limit=ten',
      'limit=2.5',
      'before=0',
      'before=x',
      'after=-1',
    ]) {
      const { status, body } = await get<{ error: { code: string; message: string } }>(`/api/audit?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('request.invalid');
      expect(body.error.message).toMatch(query.split('=')[0]!);
    }
    const both = await get<{ error: { code: string; message: string } }>('/api/audit?before=9&after=2');
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/not both/);
  });

  it('names the actors and resources of the page for an admin', async () => {
    const { body } = await get<Page>('/api/audit?limit=500');
    expect(body.names).toMatchObject({
      [`user:${admin.userId}`]: expect.any(String),
      [`key:${admin.keyId}`]: expect.any(String),
      [`agents:${ids.support}`]: 'support',
      [`agents:${ids.vaultKeeper}`]: 'vault-keeper',
      [`agent:${ids.support}`]: 'support',
      [`spaces:${ids.vault}`]: 'vault',
      [`run:${supportRun.id}`]: `support run …${supportRun.id.slice(-6)}`,
      [`runs:${vaultRun.id}`]: `vault-keeper run …${vaultRun.id.slice(-6)}`,
      [`Workspace:${h.workspaceId}`]: expect.any(String),
      [`mcp:${ids.mcp}`]: 'self',
      [`groups:${ids.group}`]: 'ops',
    });
    // Every name is of something on the page.
    const refs = new Set(
      body.entries.flatMap((e) => [
        `${e.actor.type}:${e.actor.id}`,
        `key:${e.actor.keyId}`,
        `user:${e.actor.onBehalfOf}`,
        `${e.resource.type}:${e.resource.id}`,
      ]),
    );
    expect(Object.keys(body.names).every((key) => refs.has(key))).toBe(true);
  });

  it("does not name what a member cannot see: another space's agent, others' runs, the space, others' keys", async () => {
    const { status, body } = await get<Page>('/api/audit?limit=500', member.key);
    expect(status).toBe(200);
    expect(body.entries.some((e) => e.resource.id === ids.vaultKeeper)).toBe(true);
    expect(body.names).toMatchObject({
      [`user:${admin.userId}`]: expect.any(String),
      [`agents:${ids.support}`]: 'support',
      [`runs:${memberRun.id}`]: `support run …${memberRun.id.slice(-6)}`,
      [`user:${member.id}`]: 'Dana',
      [`groups:${ids.group}`]: 'ops',
    });
    for (const key of [
      `agents:${ids.vaultKeeper}`,
      `agent:${ids.vaultKeeper}`,
      `run:${vaultRun.id}`,
      `runs:${vaultRun.id}`,
      `spaces:${ids.vault}`,
      `key:${admin.keyId}`,
      `run:${supportRun.id}`,
      // MCP servers are listed to builders and admins (mcp.read).
      `mcp:${ids.mcp}`,
    ])
      expect(body.names[key], key).toBeUndefined();
    expect(JSON.stringify(body.names)).not.toMatch(/vault/);
  });
});
