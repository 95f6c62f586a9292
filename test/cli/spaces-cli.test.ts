import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

describe('agentos spaces and groups through a running server', () => {
  let cwd: string;
  let server: ServedForTest;
  const { agentos, json } = cliAgainst(
    () => server,
    () => cwd,
  );

  beforeAll(async () => {
    cwd = tempHome();
    server = await startServeForTest(cwd);
  }, 30_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('creates a restricted space, a group, and makes the group its members', async () => {
    const whoami = (await (
      await fetch(`${server.url}/api/whoami`, { headers: { authorization: `Bearer ${server.apiKey}` } })
    ).json()) as { userId: string };
    const space = await json<{ space: { name: string; visibility: string } }>([
      'spaces',
      'create',
      'finance',
      '--restricted',
    ]);
    expect(space.space).toMatchObject({ name: 'finance', visibility: 'restricted' });
    await json(['groups', 'create', 'finance-team']);
    await json(['groups', 'add', 'finance-team', whoami.userId]);
    await json(['spaces', 'add', 'finance', '--group', 'finance-team']);
    const groups = await json<{ groups: Array<{ name: string; members: string[] }> }>(['groups', 'list']);
    expect(groups.groups).toEqual([
      expect.objectContaining({ name: 'finance-team', members: [whoami.userId] }),
    ]);
    const spaces = await json<{ spaces: Array<{ name: string }> }>(['spaces', 'list']);
    expect(spaces.spaces.map((s) => s.name)).toEqual(['finance']);
  }, 60_000);

  it('exits 2 for a usage mistake and for a body the server rejects', async () => {
    const both = await agentos(['spaces', 'add', 'finance', '--user', 'u', '--group', 'g']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --user and --group/);
    const bad = await agentos(['groups', 'create', 'Not Valid']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/request\.invalid|lowercase/);
  });
});
