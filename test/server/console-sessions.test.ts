import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface SessionBody {
  csrfToken: string;
  user: { id: string; role: string };
  workspace: { id: string; name: string };
  expiresAt: string;
}

const errorCode = async (response: Response): Promise<string> =>
  ((await response.json()) as { error: { code: string } }).error.code;

describe.each(storeTargets())('console sessions and CSRF on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let adminKey: string;

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), { roles: ['api'], store: await target.open(), log: () => {} });
    base = agentOs.http!.url;
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    adminKey = agentOs.firstStart.apiKey;
  });
  afterAll(async () => agentOs.stop());

  const signIn = async (apiKey: string) => {
    const response = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    return { response, setCookie, cookie };
  };

  const createKey = async (body: Record<string, unknown>) => {
    const response = await fetch(`${base}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { key: { id: string }; secret: string };
  };

  it('signs in with an API key into an HttpOnly, SameSite=Strict cookie', async () => {
    const { response, setCookie, cookie } = await signIn(adminKey);
    expect(response.status).toBe(201);
    const body = (await response.json()) as SessionBody;
    expect(body.user.role).toBe('admin');
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(setCookie).toMatch(/^agentos_session=aoss_/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    // The cookie alone authenticates reads, and the session can be read back after a reload.
    const whoami = await fetch(`${base}/api/whoami`, { headers: { cookie } });
    expect(whoami.status).toBe(200);
    const current = await fetch(`${base}/api/sessions/current`, { headers: { cookie } });
    expect(((await current.json()) as SessionBody).csrfToken).toBe(body.csrfToken);
    const opened = await agentOs.store.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE action = 'session.open'`,
    );
    expect(opened.rows.length).toBeGreaterThan(0);
  });

  it('refuses a cookie mutation without the CSRF token, with a wrong one, or from another origin', async () => {
    const { response, cookie } = await signIn(adminKey);
    const { csrfToken } = (await response.json()) as SessionBody;
    const countAgents = async () =>
      (await agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM agents')).rows[0]?.n;
    const before = await countAgents();
    const create = (headers: Record<string, string>) =>
      fetch(`${base}/api/agents`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          name: `csrf-${Date.now()}`,
          description: 'CSRF check',
          model: 'openai:gpt-4o-mini',
        }),
      });
    for (const headers of [
      {},
      { 'x-csrf-token': 'wrong' },
      { 'x-csrf-token': csrfToken, origin: 'https://evil.example' },
    ]) {
      const refused = await create(headers);
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe('auth.csrf');
    }
    expect(await countAgents()).toBe(before);
    const accepted = await create({ 'x-csrf-token': csrfToken, origin: base });
    expect(accepted.status).toBe(201);
    expect(await countAgents()).toBe((before ?? 0) + 1);
  });

  it('does not require a CSRF token from Bearer callers (no ambient credential)', async () => {
    const response = await fetch(`${base}/api/users`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(200);
  });

  it('signs out: the cookie stops working', async () => {
    const { response, cookie } = await signIn(adminKey);
    const { csrfToken } = (await response.json()) as SessionBody;
    const out = await fetch(`${base}/api/sessions/current`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/agentos_session=;/);
    const after = await fetch(`${base}/api/whoami`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(await errorCode(after)).toBe('auth.invalid');
  });

  it('ends the session when its key is revoked', async () => {
    const { key, secret } = await createKey({ name: 'console-key' });
    const { cookie } = await signIn(secret);
    expect((await fetch(`${base}/api/whoami`, { headers: { cookie } })).status).toBe(200);
    await fetch(`${base}/api/keys/${key.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect((await fetch(`${base}/api/whoami`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses bad sign-ins: unknown key, read-only key, malformed body', async () => {
    const unknown = await signIn('aos_nope');
    expect(unknown.response.status).toBe(401);
    expect(unknown.setCookie).toBe('');
    const { secret } = await createKey({ name: 'read-only', scope: 'read' });
    const readOnly = await signIn(secret);
    expect(readOnly.response.status).toBe(403);
    const malformed = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: adminKey }),
    });
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('request.invalid');
    const forged = await fetch(`${base}/api/whoami`, { headers: { cookie: 'agentos_session=aoss_forged' } });
    expect(forged.status).toBe(401);
  });

  it('says a Bearer request has no session', async () => {
    const response = await fetch(`${base}/api/sessions/current`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(response.status).toBe(404);
  });
});
