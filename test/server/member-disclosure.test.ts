import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirstStartResult } from '../../src/core/identity/first-start.ts';
import { listMembers } from '../../src/core/identity/user-repo.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

function adminKey(firstStart: FirstStartResult): string {
  if (!firstStart.created) throw new Error('expected a first start');
  return firstStart.apiKey;
}

type MemberBody = { user: { id: string; email: string; name: string; role: string; createdAt: string } };

describe.each(storeTargets())('adding a member by an email another workspace knows, on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let key: string;
  let elsewhereId: string;
  let zed: TestMember;
  const call = async <T>(method: string, path: string, body?: unknown, as = key) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as T };
  };

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), { roles: ['api'], store: await target.open(), log: () => {} });
    base = agentOs.http!.url;
    key = adminKey(agentOs.firstStart);
    const store = agentOs.store;
    elsewhereId = (await createWorkspace(store, 'elsewhere')).id;
    zed = await addMember(store, elsewhereId, {
      email: 'zed@example.com',
      name: 'Zed Quartermain',
      role: 'admin',
    });
    await store.query(`UPDATE users SET created_at = '2001-02-03T04:05:06Z' WHERE id = $1`, [zed.id]);
  });
  afterAll(async () => agentOs.stop());

  it('answers only what this admin gave, and nothing of the other workspace’s record', async () => {
    const added = await call<MemberBody>('POST', '/api/users', {
      email: 'Zed@Example.com',
      name: 'Z.',
      role: 'builder',
    });
    expect(added.status).toBe(201);
    expect(added.body.user).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: 'zed@example.com',
      name: 'Z.',
      role: 'builder',
      createdAt: expect.any(String),
    });
    const { rows } = await agentOs.store.query<{ id: string; name: string; created_at: Date }>(
      'SELECT id, name, created_at FROM users WHERE id = $1',
      [zed.id],
    );
    const other = rows[0]!;
    // Every value of the other workspace's record, including the time its id encodes.
    for (const value of [
      other.id,
      other.id.slice(4, 13),
      other.name,
      'Quartermain',
      other.created_at.toISOString(),
      '2001-02-03',
      elsewhereId,
      'elsewhere',
      'admin',
    ])
      expect(added.text).not.toContain(value);

    const listed = await call<{ users: MemberBody['user'][] }>('GET', '/api/users');
    expect(listed.body.users.find((u) => u.email === 'zed@example.com')).toEqual(added.body.user);
    for (const value of [other.id, 'Quartermain', '2001-02-03', elsewhereId])
      expect(listed.text).not.toContain(value);

    // The other workspace is untouched: its Zed, its name, its key.
    expect(await listMembers(agentOs.store, elsewhereId)).toEqual([
      expect.objectContaining({ id: zed.id, name: 'Zed Quartermain', role: 'admin' }),
    ]);
    expect((await call<{ userId: string }>('GET', '/api/whoami', undefined, zed.key)).body.userId).toBe(
      zed.id,
    );
  });

  it('adding the same email again changes the role of this workspace’s member, not of another', async () => {
    const again = await call<MemberBody>('POST', '/api/users', {
      email: 'zed@example.com',
      name: 'Zed',
      role: 'user',
    });
    expect(again.status).toBe(201);
    const listed = await call<{ users: MemberBody['user'][] }>('GET', '/api/users');
    const zeds = listed.body.users.filter((u) => u.email === 'zed@example.com');
    expect(zeds).toEqual([expect.objectContaining({ id: again.body.user.id, name: 'Z.', role: 'user' })]);
    expect(again.body.user.id).not.toBe(zed.id);
    expect((await listMembers(agentOs.store, elsewhereId))[0]?.role).toBe('admin');
  });
});
