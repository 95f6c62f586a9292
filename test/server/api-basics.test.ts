import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirstStartResult } from '../../src/core/identity/first-start.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

function adminKey(firstStart: FirstStartResult): string {
  if (!firstStart.created) throw new Error('expected a first start');
  return firstStart.apiKey;
}

describe.each(storeTargets())('HTTP API basics on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let key: string;
  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const useKey = init.key === undefined ? key : init.key;
    if (useKey !== null) headers.set('authorization', `Bearer ${useKey}`);
    return fetch(`${base}${path}`, { ...init, headers });
  };
  const countUsers = async () =>
    (await agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]?.n;

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), { roles: ['api'], store: await target.open(), log: () => {} });
    base = agentOs.http!.url;
    key = adminKey(agentOs.firstStart);
  });
  afterAll(async () => agentOs.stop());

  it('answers health without a key, naming the store', async () => {
    const response = await call('/api/health', { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      store: target.kind,
      version: expect.any(String),
    });
  });

  it("answers the store's schema without a key: its kind and migrations", async () => {
    const response = await call('/api/health/store', { key: null });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { store: string; schema: Record<string, unknown> };
    expect(body.store).toBe(target.kind);
    expect(body.schema).toMatchObject({ pending: [], databaseVersion: expect.any(Number) });
    expect(body.schema.databaseVersion).toBe(body.schema.codeVersion);
    expect((body.schema.applied as number[]).at(-1)).toBe(body.schema.databaseVersion);
  });

  it('rejects a missing key with auth.missing', async () => {
    const response = await call('/api/whoami', { key: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'auth.missing', message: expect.any(String) } });
  });

  it('rejects an unknown key and a malformed header with auth.invalid', async () => {
    for (const header of ['Bearer aos_not-a-real-key', 'Basic abc', 'Bearer']) {
      const response = await fetch(`${base}/api/whoami`, { headers: { authorization: header } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('auth.invalid');
    }
  });

  it('answers an unknown route with route.not_found as JSON', async () => {
    const response = await call('/api/no-such-thing');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('route.not_found');
    // Outside /api a GET is the console's (its own router answers), never an API error page.
    const outside = await call('/elsewhere', { key: null });
    expect(outside.status).toBe(200);
    expect(outside.headers.get('content-type')).toContain('text/html');
    const unknownMethod = await call('/elsewhere', { key: null, method: 'POST' });
    expect(unknownMethod.status).toBe(404);
  });

  it('rejects malformed JSON with request.malformed_json and writes nothing', async () => {
    const before = await countUsers();
    const response = await call('/api/users', { method: 'POST', body: '{"email": "a@b.c",' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'request.malformed_json',
    );
    expect(await countUsers()).toBe(before);
  });

  it('rejects a body that fails the schema with request.invalid, naming the field, and writes nothing', async () => {
    const before = await countUsers();
    const response = await call('/api/users', {
      method: 'POST',
      body: JSON.stringify({ email: 'not-an-email', name: 'X', role: 'emperor' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('request.invalid');
    expect(body.error.message).toContain('email');
    expect(body.error.message).toContain('role');
    expect(await countUsers()).toBe(before);
  });

  it('lets an admin add a member, and forbids that member admin actions', async () => {
    const created = await call('/api/users', {
      method: 'POST',
      body: JSON.stringify({ email: 'bob@example.com', name: 'Bob', role: 'user' }),
    });
    expect(created.status).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };
    const minted = await call('/api/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'bob', userId: user.id }),
    });
    expect(minted.status).toBe(201);
    const { secret, key: bobKey } = (await minted.json()) as { secret: string; key: { id: string } };

    const forbidden = await call('/api/users', {
      method: 'POST',
      key: secret,
      body: JSON.stringify({ email: 'eve@example.com', name: 'Eve' }),
    });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('auth.forbidden');

    const revoked = await call(`/api/keys/${bobKey.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const after = await call('/api/whoami', { key: secret });
    expect(after.status).toBe(401);
  });

  it('never answers a stack trace', async () => {
    const response = await call('/api/keys/%E0%A4%A', { method: 'DELETE' });
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    expect(response.status).toBeLessThan(500);
  });
});
