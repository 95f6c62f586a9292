import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface ErrorBody {
  error: { code: string; message: string; details?: { location?: string } };
}

const BAD_TEXT = { nul: 'a\u0000b', 'lone surrogate': 'a\uD800b' } as const;

/** Every table a refused request could have written to. */
const TABLES = [
  'memories',
  'memory_blocks',
  'agents',
  'agent_versions',
  'runs',
  'skills',
  'users',
  'memberships',
  'api_keys',
  'triggers',
  'audit_log',
  'audit_outbox',
];

/** Route × field: a valid body for the route, with the bad text put where `location` says. */
const ROUTES: ReadonlyArray<{
  method: string;
  path: string;
  body: (bad: string) => unknown;
  location: string;
}> = [
  {
    method: 'POST',
    path: '/memories',
    body: (bad) => ({ kind: 'fact', content: bad }),
    location: 'body.content',
  },
  {
    method: 'POST',
    path: '/memories',
    body: (bad) => ({ kind: 'fact', content: 'fine', subjects: ['ok', bad] }),
    location: 'body.subjects.1',
  },
  {
    method: 'POST',
    path: '/agents',
    body: (bad) => ({ name: 'helper', description: bad, model: 'openai:gpt-4o-mini' }),
    location: 'body.description',
  },
  {
    method: 'POST',
    path: '/runs',
    body: (bad) => ({ agent: 'writer', task: bad }),
    location: 'body.task',
  },
  {
    method: 'POST',
    path: '/skills',
    body: (bad) => ({ name: 'summarise', description: 'Summarises', instructions: bad }),
    location: 'body.instructions',
  },
  {
    method: 'POST',
    path: '/users',
    body: (bad) => ({ email: 'someone@example.com', name: bad }),
    location: 'body.name',
  },
  { method: 'POST', path: '/keys', body: (bad) => ({ name: bad }), location: 'body.name' },
  {
    method: 'POST',
    path: '/triggers',
    body: (bad) => ({ kind: 'cron', agent: 'writer', schedule: '0 * * * *', task: bad }),
    location: 'body.task',
  },
  {
    method: 'PUT',
    path: '/memory-blocks',
    body: (bad) => ({ scope: 'user', label: 'persona', content: bad }),
    location: 'body.content',
  },
  {
    method: 'POST',
    path: '/memories',
    // An object key counts too, even one the schema would refuse as unknown.
    body: (bad) => ({ kind: 'fact', content: 'fine', [bad]: 1 }),
    location: 'body.a\uFFFDb',
  },
];

describe.each(storeTargets())('text hygiene at the API edge on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let admin: string;
  const send = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  };
  const snapshot = async () => {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await agentOs.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = rows[0]?.n ?? -1;
    }
    return counts;
  };

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
    const writer = await send(
      'POST',
      '/agents',
      JSON.stringify({ name: 'writer', description: 'Writes', model: 'openai:gpt-4o-mini' }),
    );
    expect(writer.status).toBe(201);
  });
  afterAll(async () => {
    await agentOs.stop();
  });

  for (const route of ROUTES) {
    for (const [kind, bad] of Object.entries(BAD_TEXT)) {
      it(`${route.method} ${route.path} with a ${kind} at ${route.location}: 400 request.invalid_text, nothing stored`, async () => {
        const before = await snapshot();
        // JSON.stringify writes both as escapes (\u0000, \ud800), as a client would send them.
        const response = await send(route.method, route.path, JSON.stringify(route.body(bad)));
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('request.invalid_text');
        expect(response.body.error.message).toContain(route.location);
        expect(response.body.error.details?.location).toBe(route.location);
        expect(await snapshot()).toEqual(before);
      });
    }
  }

  it('refuses a NUL or a lone surrogate in a query string or a path parameter', async () => {
    const before = await snapshot();
    const cases: Array<[string, string, string]> = [
      ['GET', '/memories?q=a%00b', 'query.q'],
      ['GET', '/knowledge/search?q=a%00b', 'query.q'],
      ['GET', '/runs/run_%00x', 'path.id'],
      ['GET', '/runs/run_%00x/steps', 'path.id'],
      ['POST', '/runs/run_%00x/cancel', 'path.id'],
      ['GET', '/agents/a%00b', 'path.idOrName'],
      // A route that declares no query still refuses one it would ignore.
      ['GET', '/whoami?x=%00', 'query.x'],
    ];
    for (const [method, path, location] of cases) {
      const response = await send(method, path);
      expect([path, response.status, response.body.error.code]).toEqual([path, 400, 'request.invalid_text']);
      expect(response.body.error.details?.location).toBe(location);
    }
    // A lone surrogate cannot arrive in a URL: its percent-encoding is not UTF-8, so it stays encoded.
    const encoded = await send('GET', '/memories?q=a%ED%A0%80b');
    expect(encoded.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a SKILL.md body holding a NUL', async () => {
    const before = await snapshot();
    const response = await fetch(`${base}/api/skills/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/markdown' },
      body: '---\nname: nul-skill\ndescription: Has a NUL\n---\nDo \u0000 this.\n',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('request.invalid_text');
    expect(await snapshot()).toEqual(before);
  });

  it('answers a 900 KB email with 400 request.invalid, not an index error', async () => {
    const before = await snapshot();
    const email = `${'a'.repeat(900_000)}@example.com`;
    const response = await send('POST', '/users', JSON.stringify({ email, name: 'Long' }));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('request.invalid');
    expect(response.body.error.message).toContain('email');
    expect(await snapshot()).toEqual(before);
  });

  it('keeps accepting well-formed text: paired surrogates, escaped backslashes and non-ASCII', async () => {
    const content = 'emoji 😀, a literal \\u0000, ünïcödé';
    const created = await fetch(`${base}/api/memories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'fact', content }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { memory: { content: string } }).memory.content).toBe(content);
    const found = await fetch(`${base}/api/memories?q=${encodeURIComponent('emoji 😀')}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(found.status).toBe(200);
  });
});
