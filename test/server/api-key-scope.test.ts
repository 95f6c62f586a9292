import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirstStartResult } from '../../src/core/identity/first-start.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

function adminKey(firstStart: FirstStartResult): string {
  if (!firstStart.created) throw new Error('expected a first start');
  return firstStart.apiKey;
}

describe.each(storeTargets())('read-only and expiring API keys on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let admin: string;
  const call = async (key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const agentCount = async () =>
    (await agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM agents')).rows[0]?.n;

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), { roles: ['api'], store: await target.open(), log: () => {} });
    base = agentOs.http!.url;
    admin = adminKey(agentOs.firstStart);
  });
  afterAll(async () => agentOs.stop());

  it('accepts a read-only key for reading and refuses it for every change', async () => {
    const created = await call(admin, 'POST', '/api/keys', { name: 'dashboard', scope: 'read' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatchObject({ scope: 'read', expiresAt: null });
    const reader = created.body.secret as string;
    expect((await call(reader, 'GET', '/api/agents')).status).toBe(200);
    const before = await agentCount();
    const refused = await call(reader, 'POST', '/api/agents', {
      name: 'sneaky',
      description: 'x',
      model: 'openai:gpt-4o-mini',
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden' } } });
    expect(await agentCount()).toBe(before);
    // A read-only key cannot mint itself a full one either.
    expect((await call(reader, 'POST', '/api/keys', { name: 'escalate' })).status).toBe(403);
  });

  it('refuses a key once it has expired, saying so', async () => {
    const created = await call(admin, 'POST', '/api/keys', { name: 'temp', expiresInDays: 1 });
    expect(created.status).toBe(201);
    const temp = created.body.secret as string;
    expect((await call(temp, 'GET', '/api/agents')).status).toBe(200);
    await agentOs.store.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
      (created.body.key as { id: string }).id,
    ]);
    const refused = await call(temp, 'GET', '/api/agents');
    expect(refused).toMatchObject({
      status: 401,
      body: { error: { code: 'auth.invalid', message: 'The API key has expired' } },
    });
  });

  it('validates the new fields', async () => {
    for (const body of [
      { name: 'x', expiresInDays: 0 },
      { name: 'x', expiresInDays: 1.5 },
      { name: 'x', scope: 'write' },
    ]) {
      expect((await call(admin, 'POST', '/api/keys', body)).body).toMatchObject({
        error: { code: 'request.invalid' },
      });
    }
  });
});
