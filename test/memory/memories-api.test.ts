import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface MemoryBody {
  id: string;
  kind: string;
  content: string;
  scope: string;
  scopeId: string;
  trust: string;
  subjects: string[];
  supersededBy: string | null;
  provenance: { source: string; userId?: string };
  score?: number;
}

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(storeTargets())('memories API on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let admin: string;
  let member: string;
  let adminId: string;
  const send = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const count = async () =>
    (await agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM memories')).rows[0]?.n;

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), {
      roles: ['api'],
      store: await target.open(),
      tools: new ToolRegistry(),
      log: () => {},
    });
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    admin = agentOs.firstStart.apiKey;
    base = agentOs.http!.url;
    adminId = (await send<{ userId: string }>(admin, 'GET', '/whoami')).body.userId;
    const user = await send<{ user: { id: string } }>(admin, 'POST', '/users', {
      email: 'member@example.com',
      name: 'Member',
      role: 'user',
    });
    member = (
      await send<{ secret: string }>(admin, 'POST', '/keys', { name: 'member', userId: user.body.user.id })
    ).body.secret;
  });
  afterAll(async () => {
    await agentOs.stop();
  });

  it('rejects bad bodies and queries with request.invalid and writes nothing', async () => {
    const before = await count();
    const bad: unknown[] = [
      {},
      { kind: 'fact' },
      { kind: 'fact', content: '   ' },
      { kind: 'rumour', content: 'x' },
      { kind: 'fact', content: 'x', scope: 'galaxy' },
      { kind: 'fact', content: 'x', importance: 2 },
      { kind: 'fact', content: 'x', occurredAt: 'yesterday' },
      { kind: 'fact', content: 'x', surprise: true },
      { kind: 'fact', content: 'x', subjects: 'Alice' },
    ];
    for (const body of bad) {
      const response = await send<ErrorBody>(admin, 'POST', '/memories', body);
      expect([response.status, response.body.error.code]).toEqual([400, 'request.invalid']);
    }
    const malformed = await send<ErrorBody>(admin, 'POST', '/memories', '{"kind": "fact", ');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'request.malformed_json']);
    for (const query of ['?limit=0', '?limit=abc', '?kind=rumour', '?scope=galaxy', '?color=red']) {
      expect((await send<ErrorBody>(admin, 'GET', `/memories${query}`)).body.error.code).toBe(
        'request.invalid',
      );
    }
    expect(await count()).toBe(before);
  });

  it('writes, reads with history, searches, edits, supersedes and deletes', async () => {
    const created = await send<{ memory: MemoryBody; merged: boolean }>(admin, 'POST', '/memories', {
      kind: 'decision',
      content: 'We use Hetzner for the staging cluster.',
      scope: 'workspace',
      subjects: ['staging'],
    });
    expect(created.status).toBe(201);
    expect(created.body.memory).toMatchObject({
      kind: 'decision',
      scope: 'workspace',
      trust: 'trusted',
      provenance: { source: 'user', userId: adminId },
    });
    const id = created.body.memory.id;
    const shown = await send<{ memory: MemoryBody; changes: Array<{ action: string }> }>(
      admin,
      'GET',
      `/memories/${id}`,
    );
    expect(shown.body.changes.map((change) => change.action)).toEqual(['create']);

    const found = await send<{ memories: MemoryBody[] }>(
      admin,
      'GET',
      '/memories?q=staging%20cluster%20provider',
    );
    expect(found.body.memories[0]?.id).toBe(id);
    expect(found.body.memories[0]?.score).toBeGreaterThan(0);

    const patched = await send<{ memory: MemoryBody }>(admin, 'PATCH', `/memories/${id}`, {
      importance: 0.9,
    });
    expect(patched.status).toBe(200);
    expect((await send<ErrorBody>(admin, 'PATCH', `/memories/${id}`, {})).body.error.code).toBe(
      'request.invalid',
    );

    const replaced = await send<{ memory: MemoryBody; superseded: MemoryBody }>(admin, 'POST', '/memories', {
      kind: 'decision',
      content: 'We use Scaleway for the staging cluster.',
      scope: 'workspace',
      supersedes: id,
    });
    expect(replaced.status).toBe(201);
    expect(replaced.body.superseded.supersededBy).toBe(replaced.body.memory.id);
    const current = await send<{ memories: MemoryBody[] }>(admin, 'GET', '/memories?q=staging%20cluster');
    expect(current.body.memories.map((memory) => memory.id)).toEqual([replaced.body.memory.id]);
    const all = await send<{ memories: MemoryBody[] }>(
      admin,
      'GET',
      '/memories?q=staging%20cluster&inactive=true',
    );
    expect(all.body.memories.map((memory) => memory.id).sort()).toEqual([id, replaced.body.memory.id].sort());

    const deleted = await send<{ memory: { deletedAt: string | null } }>(
      admin,
      'DELETE',
      `/memories/${replaced.body.memory.id}`,
    );
    expect(deleted.body.memory.deletedAt).not.toBeNull();
    expect((await send<ErrorBody>(admin, 'GET', `/memories/${replaced.body.memory.id}`)).status).toBe(404);
  });

  it('keeps user scopes private and workspace writes to builders', async () => {
    const mine = await send<{ memory: MemoryBody }>(admin, 'POST', '/memories', {
      kind: 'preference',
      content: 'The admin prefers release notes as bullet points.',
    });
    expect(mine.body.memory).toMatchObject({ scope: 'user', scopeId: adminId });
    const theirs = await send<{ memory: MemoryBody }>(member, 'POST', '/memories', {
      kind: 'preference',
      content: 'The member prefers release notes as prose.',
    });
    expect(theirs.status).toBe(201);

    const asMember = await send<{ memories: MemoryBody[] }>(member, 'GET', '/memories?q=release%20notes');
    expect(asMember.body.memories.map((memory) => memory.id)).toEqual([theirs.body.memory.id]);
    const asAdmin = await send<{ memories: MemoryBody[] }>(admin, 'GET', '/memories?q=release%20notes');
    expect(asAdmin.body.memories.map((memory) => memory.id)).toEqual([mine.body.memory.id]);
    expect((await send<ErrorBody>(member, 'GET', `/memories/${mine.body.memory.id}`)).status).toBe(404);
    expect((await send<ErrorBody>(member, 'DELETE', `/memories/${mine.body.memory.id}`)).status).toBe(404);

    const before = await count();
    const denied = await send<ErrorBody>(member, 'POST', '/memories', {
      kind: 'fact',
      content: 'Everyone gets Fridays off.',
      scope: 'workspace',
    });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'auth.forbidden']);
    const otherUser = await send<ErrorBody>(member, 'POST', '/memories', {
      kind: 'fact',
      content: 'A note for the admin.',
      scope: 'user',
      scopeId: adminId,
    });
    expect(otherUser.status).toBe(403);
    expect(await count()).toBe(before);

    const shared = await send<{ memory: MemoryBody }>(admin, 'POST', '/memories', {
      kind: 'fact',
      content: 'The quarterly planning offsite is in Lisbon.',
      scope: 'workspace',
    });
    const memberSees = await send<{ memories: MemoryBody[] }>(
      member,
      'GET',
      '/memories?q=planning%20offsite',
    );
    expect(memberSees.body.memories.map((memory) => memory.id)).toEqual([shared.body.memory.id]);
    const memberEdits = await send<ErrorBody>(member, 'PATCH', `/memories/${shared.body.memory.id}`, {
      importance: 1,
    });
    expect(memberEdits.status).toBe(403);
  });
});
