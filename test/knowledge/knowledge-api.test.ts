import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNTRUSTED_BEGIN, UNTRUSTED_END } from '../../src/core/kernel/messages.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { knowledgeTools } from '../../src/plugins/knowledge/knowledge-tool.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { writeKnowledgeFolder } from './knowledge-fixtures.ts';

interface Citation {
  citationId: string;
  source: string;
  document: string;
  section: string;
  location: string;
  snippet: string;
}

describe.each(storeTargets())('shared knowledge through the API and search_knowledge on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let dir: string;
  let folder: string;
  let member: TestMember;
  let outsider: TestMember;
  let builder: TestMember;

  const call = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const search = (key: string, q: string) =>
    call<{ results: Citation[] }>(key, 'GET', `/api/knowledge/search?q=${encodeURIComponent(q)}`);
  /** Runs `agent` as `key` with a model that searches once and then answers `answer`; returns the run and the tool output. */
  const searchingRun = async (key: string, agent: string, answer: string) => {
    const first = model.requests.length;
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'search_knowledge', arguments: { query: 'fleet token vault' } }],
      },
      { text: answer },
    );
    const { body } = await call<{ run: RunRecord }>(key, 'POST', '/api/runs', {
      agent,
      task: 'Where does the fleet token live?',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    const content = String(model.requests[first + 1]?.body.messages.find((m) => m.role === 'tool')?.content);
    // Document text is untrusted: the model gets it fenced, like http_fetch output.
    const begin = content.indexOf(UNTRUSTED_BEGIN);
    expect(begin).toBeGreaterThanOrEqual(0);
    const output = JSON.parse(
      content.slice(begin + UNTRUSTED_BEGIN.length, content.lastIndexOf(UNTRUSTED_END)),
    ) as {
      results: Citation[];
      searched: string[];
    };
    return { run: body.run, output };
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry(knowledgeTools(store)),
    });
    dir = await mkdtemp(join(tmpdir(), 'agentos-knowledge-api-'));
    folder = await writeKnowledgeFolder(dir, await mkdtemp(join(dir, 'outside-')));
    member = await addMember(store, h.workspaceId, { email: 'm@example.com', name: 'member', role: 'user' });
    outsider = await addMember(store, h.workspaceId, {
      email: 'o@example.com',
      name: 'outsider',
      role: 'user',
    });
    builder = await addMember(store, h.workspaceId, {
      email: 'b@example.com',
      name: 'builder',
      role: 'builder',
    });
    expect((await h.api('POST', '/api/spaces', { name: 'ops', visibility: 'restricted' })).status).toBe(201);
    expect((await h.api('POST', '/api/spaces/ops/members', { userId: member.id })).status).toBe(201);
    await h.createAgent({ name: 'librarian', tools: ['search_knowledge'], knowledge: ['handbook'] });
    await h.createAgent({ name: 'nosy', tools: ['search_knowledge'] });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a source in a restricted space, syncs it and shows its documents with their errors', async () => {
    // Folder sources read the server's disk: builders may not add them, admins may.
    const denied = await call<{ error: { code: string } }>(builder.key, 'POST', '/api/sources', {
      name: 'handbook',
      kind: 'folder',
      space: 'ops',
      config: { path: folder },
    });
    expect(denied.status).toBe(403);
    expect(
      (await h.api('POST', '/api/sources', { name: 'x', kind: 'folder', config: { path: 'relative' } }))
        .status,
    ).toBe(400);
    expect((await h.api('POST', '/api/sources', { name: 'x', kind: 'telepathy', config: {} })).status).toBe(
      400,
    );

    const created = await h.api<{ source: { id: string; status: string; spaceId: string } }>(
      'POST',
      '/api/sources',
      {
        name: 'handbook',
        kind: 'folder',
        space: 'ops',
        config: { path: folder },
        scheduleMinutes: 60,
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.source.status).toBe('idle');
    expect(
      (await h.api('POST', '/api/sources', { name: 'handbook', kind: 'folder', config: { path: folder } }))
        .status,
    ).toBe(409);

    const synced = await h.api<{
      source: { status: string; lastCounts: unknown };
      result: { counts: unknown };
    }>('POST', '/api/sources/handbook/sync', {});
    expect(synced.status).toBe(200);
    expect(synced.body.source).toMatchObject({
      status: 'ok',
      lastCounts: { added: 6, updated: 0, unchanged: 0, deleted: 0, failed: 1 },
    });
    const failed = await h.api<{ documents: Array<{ ref: string; error: { code: string } }> }>(
      'GET',
      '/api/sources/handbook/documents?status=failed',
    );
    expect(failed.body.documents).toEqual([
      expect.objectContaining({
        ref: 'reports/broken.pdf',
        error: expect.objectContaining({ code: 'parse.pdf_invalid' }),
      }),
    ]);
    // In the background: 202 at once, then the source's status tells when it is done.
    const started = await h.api<{ source: { status: string } }>('POST', '/api/sources/handbook/sync', {
      wait: false,
    });
    expect(started.status).toBe(202);
    const polled = await eventually(
      async () => {
        const answer = await h.api<{ source: { status: string; lastCounts: unknown } }>(
          'GET',
          '/api/sources/handbook',
        );
        expect(answer.body.source.status).not.toBe('syncing');
        return answer;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(polled.body.source).toMatchObject({
      status: 'ok',
      lastCounts: { added: 0, updated: 0, unchanged: 6, deleted: 0, failed: 1 },
    });
    const listed = await call<{ sources: Array<{ name: string }> }>(member.key, 'GET', '/api/sources');
    expect(listed.body.sources.map((s) => s.name)).toEqual(['handbook']);
  });

  it('searches with citations for readers, and shows nothing of the source to anybody else', async () => {
    const hits = await search(member.key, 'fleet token vault');
    expect(hits.status).toBe(200);
    expect(hits.body.results[0]).toMatchObject({
      source: 'handbook',
      document: 'Deployment Guide',
      section: 'Deployment Guide > Install > Linux',
      location: join(folder, 'guide.md'),
    });
    expect(hits.body.results[0]?.citationId).toMatch(/^K\d+$/);

    for (const path of ['/api/sources/handbook', '/api/sources/handbook/documents']) {
      const response = await call<{ error: { code: string } }>(outsider.key, 'GET', path);
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain('guide.md');
    }
    expect((await call(outsider.key, 'GET', '/api/sources')).body).toEqual({ sources: [] });
    expect((await search(outsider.key, 'fleet token vault')).body).toEqual({ results: [] });
    // A builder outside the space cannot touch it either: the same 404.
    expect((await call(builder.key, 'POST', '/api/sources/handbook/sync', {})).status).toBe(404);
    expect(
      (await call(builder.key, 'PATCH', '/api/sources/handbook', { scheduleMinutes: null })).status,
    ).toBe(404);
    expect((await call(member.key, 'DELETE', '/api/sources/handbook')).status).toBe(403);
  });

  it('an agent run cites what search_knowledge found, and nobody gets more than both the user and the agent may read', async () => {
    const [top] = (await search(member.key, 'fleet token vault')).body.results;
    const answer = `The fleet token lives in the vault under ops/fleet [${top?.citationId}].`;
    const { run, output } = await searchingRun(member.key, 'librarian', answer);
    expect(run.status).toBe('succeeded');
    expect(run.output?.text).toContain(`[${top?.citationId}]`);
    expect(output.searched).toEqual(['handbook']);
    expect(output.results[0]).toMatchObject({
      citationId: top?.citationId,
      source: 'handbook',
      document: 'Deployment Guide',
      section: 'Deployment Guide > Install > Linux',
      location: join(folder, 'guide.md'),
    });
    expect(output.results[0]?.snippet).toContain('fleet token');

    // The same agent for a user outside the space: the source is not searched at all.
    const outside = await searchingRun(outsider.key, 'librarian', 'I found nothing.');
    expect(outside.run.status).toBe('succeeded');
    expect(outside.output).toEqual({ results: [], searched: [] });

    // An agent not granted the source finds nothing even for a member who could read it.
    const nosy = await searchingRun(member.key, 'nosy', 'I found nothing.');
    expect(nosy.output).toEqual({ results: [], searched: [] });
  });

  it("searches nothing outside the workspace's boundary, from the next call on", async () => {
    expect((await h.api('PUT', '/api/policy', { boundary: { sources: [] } })).status).toBe(200);
    try {
      const closed = await searchingRun(member.key, 'librarian', 'I found nothing.');
      expect(closed.output).toEqual({ results: [], searched: [] });
      // Saving an agent that names a source outside the boundary is refused.
      const refused = await h.api('PATCH', '/api/agents/librarian', { knowledge: ['handbook'] });
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'policy.outside_boundary' } } });
    } finally {
      expect((await h.api('PUT', '/api/policy', { boundary: { sources: ['handbook'] } })).status).toBe(200);
    }
    const open = await searchingRun(member.key, 'librarian', 'Found it.');
    expect(open.output.searched).toEqual(['handbook']);
  });

  it('a deleted source leaves search at once', async () => {
    expect((await h.api('DELETE', '/api/sources/handbook')).status).toBe(200);
    expect((await search(member.key, 'fleet token vault')).body).toEqual({ results: [] });
    expect((await h.api('GET', '/api/sources/handbook')).status).toBe(404);
    const { rows } = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM knowledge_chunks',
    );
    expect(rows[0]?.n).toBe(0);
  });
});
