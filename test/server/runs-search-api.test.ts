import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { type PolicyRig, startPolicyRig } from '../policy/policy-support.ts';
import { runCli } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(storeTargets())('GET /api/runs?q= on $kind', (target) => {
  let rig: PolicyRig;
  const ids: Record<string, string> = {};

  const search = async (q: string, key = rig.h.key) => {
    const response = await fetch(`${rig.h.url}/api/runs?${new URLSearchParams({ q })}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as { runs: RunRecord[] } & ErrorBody };
  };
  const found = async (q: string, key?: string) => {
    const { status, body } = await search(q, key);
    expect(status).toBe(200);
    return body.runs.map((run) => run.id).sort();
  };
  const named = (...names: string[]) => names.map((name) => ids[name]).sort();

  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'sam@example.com', name: 'Sam' });
    const runs: Array<[name: string, task: string, answer: string]> = [
      ['refund', 'Refund Order 42 in full', 'Refunded 100% of it.'],
      ['parcel', 'Where is parcel_7?', 'In the depot.'],
      ['status', 'How are things?', 'order 42 has shipped.'],
      ['path', 'Read C:\\orders\\7', 'Nothing there.'],
    ];
    for (const [name, task, answer] of runs) {
      rig.model.enqueue({ text: answer });
      const { body } = await rig.h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'clerk',
        task,
        wait: true,
      });
      expect(body.run.status).toBe('succeeded');
      ids[name] = body.run.id;
    }
  });
  afterAll(async () => rig.stop());

  it('matches the task or the answer, in any case', async () => {
    expect(await found('ORDER 42')).toEqual(named('refund', 'status'));
    expect(await found('depot')).toEqual(named('parcel'));
    expect(await found('  depot  ')).toEqual(named('parcel'));
    expect(await found('nothing like this')).toEqual([]);
  });

  it('reads %, _ and \\ as themselves, not as LIKE wildcards', async () => {
    expect(await found('%')).toEqual(named('refund'));
    expect(await found('100%')).toEqual(named('refund'));
    expect(await found('_')).toEqual(named('parcel'));
    expect(await found('\\')).toEqual(named('path'));
    expect(await found('c:\\orders')).toEqual(named('path'));
  });

  it('combines with the other filters and finds only runs the caller may read', async () => {
    const query = new URLSearchParams({ q: 'order 42', status: 'failed' });
    const none = await rig.h.api<{ runs: RunRecord[] }>('GET', `/api/runs?${query}`);
    expect(none.body.runs).toEqual([]);
    // The builder started none of these runs: the search tells them nothing about them.
    expect(await found('order', rig.builderKey)).toEqual([]);
  });

  it('refuses a search text that is too long or empty with a code and a message', async () => {
    const long = await search('x'.repeat(201));
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('request.invalid');
    expect(long.body.error.message).toMatch(/longer than 200 characters/);
    expect(await found('x'.repeat(200))).toEqual([]);
    const empty = await search('   ');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/search text is empty/);
  });

  it('searches from `agentos runs list --search`, with the server refusing a search too long', async () => {
    const cli = (...args: string[]) =>
      runCli(['runs', 'list', ...args, '--url', rig.h.url, '--api-key', rig.h.key], {
        cwd: tempHome(),
        env: { AGENTOS_HOME: tempHome() },
      });
    const json = await cli('--search', 'order 42', '--json');
    expect(json.code).toBe(0);
    const listed = (JSON.parse(json.stdout) as { runs: RunRecord[] }).runs.map((run) => run.id).sort();
    expect(listed).toEqual(named('refund', 'status'));
    const text = await cli('--search', 'DEPOT');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(ids.parcel!);
    expect(text.stdout).not.toContain(ids.refund!);
    const long = await cli('--search', 'x'.repeat(201));
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/request\.invalid/);
  });
});
