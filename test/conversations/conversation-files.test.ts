import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store/sql-client.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { conversationFileSources } from '../../src/plugins/conversations/conversation-file-search.ts';
import { knowledgeTools } from '../../src/plugins/knowledge/knowledge-tool.ts';
import { minimalPdf } from '../knowledge/knowledge-fixtures.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import {
  type Citation,
  type StoredFile,
  searchOutputIn,
  streamUpload,
  uploadForm,
  uploadRaw,
} from './conversation-files-support.ts';

const LIMIT = 256 * 1024;
const REPORT = minimalPdf(['Quarterly report', 'The revenue forecast for Q3 is 4.2 million euros.']);
const BUDGET = 'region,revenue\nnorth,1200\nsouth,900\n';

interface Reply {
  agent: string;
  runId: string;
  status: string;
  content: string;
}

describe.each(storeTargets())('files attached to a conversation on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let store: Store;
  const people: Record<'alice' | 'bob' | 'eve', TestMember> = {} as never;

  const call = async <T>(who: TestMember | string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${typeof who === 'string' ? who : who.key}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T };
  };
  const newConversation = async (who: TestMember, title: string) =>
    (await call<{ conversation: { id: string } }>(who, 'POST', '/api/conversations', { title })).body
      .conversation.id;
  const listFiles = async (who: TestMember, id: string) =>
    call<{ attachments: StoredFile[] }>(who, 'GET', `/api/conversations/${id}/files`);
  /** Posts `content` to the reader agent, which searches once and answers citing what it found. */
  const ask = async (who: TestMember, id: string, content: string, attachments?: string[]) => {
    const first = model.requests.length;
    const posted = await call<{ message: { attachments: unknown[] }; replies: Reply[] }>(
      who,
      'POST',
      `/api/conversations/${id}/messages`,
      {
        content,
        mentions: ['reader'],
        wait: true,
        waitTimeoutMs: 20_000,
        ...(attachments ? { attachments } : {}),
      },
    );
    const requests = model.requests.slice(first).filter((r) => r.body.tools !== undefined);
    return { posted, prompt: requests[0], output: searchOutputIn(requests[1]) };
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    model.setHandler((request) => {
      const tool = request.body.messages.find((m) => m.role === 'tool');
      if (tool !== undefined) {
        const cited = /"citationId":"(K\d+)"/.exec(String(tool.content))?.[1] ?? 'none';
        return { text: `The Q3 forecast is 4.2 million euros [${cited}].` };
      }
      if (request.body.tools?.some((t) => t.function.name === 'search_knowledge'))
        return {
          kind: 'tool_calls',
          toolCalls: [{ name: 'search_knowledge', arguments: { query: 'revenue forecast' } }],
        };
      return { text: 'ok' };
    });
    store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry(knowledgeTools(store, { scopedSources: conversationFileSources })),
      conversations: { maxUploadBytes: LIMIT },
    });
    for (const name of ['alice', 'bob', 'eve'] as const)
      people[name] = await addMember(store, h.workspaceId, {
        email: `${name}@example.com`,
        name,
        role: 'user',
      });
    expect((await h.api('POST', '/api/spaces', { name: 'team', visibility: 'restricted' })).status).toBe(201);
    expect((await h.api('POST', '/api/spaces/team/members', { userId: people.bob.id })).status).toBe(201);
    expect((await h.api('POST', '/api/spaces/team/members', { userId: people.alice.id })).status).toBe(201);
    await h.createAgent({ name: 'reader', instructions: 'I read files.', tools: ['search_knowledge'] });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('parses a PDF and a CSV of one multipart upload, and a raw Markdown body, into files of the conversation', async () => {
    const id = await newConversation(people.alice, 'Finance');
    const uploaded = await uploadForm(h.url, people.alice.key, id, [
      { name: 'report.pdf', type: 'application/pdf', content: REPORT },
      // Declared generically: the extension decides.
      { name: 'budget.csv', type: 'application/octet-stream', content: BUDGET },
    ]);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.attachments).toEqual([
      expect.objectContaining({
        name: 'report.pdf',
        mediaType: 'application/pdf',
        size: REPORT.byteLength,
        status: 'ok',
        uploadedBy: people.alice.id,
      }),
      expect.objectContaining({
        name: 'budget.csv',
        mediaType: 'text/csv',
        size: BUDGET.length,
        status: 'ok',
      }),
    ]);
    for (const file of uploaded.body.attachments) {
      expect(file.id).toMatch(/^fil_/);
      expect(file.documentId).toMatch(/^doc_/);
      expect(file.chunks).toBeGreaterThan(0);
      expect(file.error).toBeUndefined();
    }
    const raw = await uploadRaw(h.url, people.alice.key, id, {
      name: 'notes.md',
      type: 'text/markdown; charset=utf-8',
      content: '# Notes\n\nThe offsite is in Lisbon.',
    });
    expect(raw.status).toBe(201);
    expect(raw.body.attachments).toEqual([
      expect.objectContaining({ name: 'notes.md', mediaType: 'text/markdown' }),
    ]);
    // A file the parser cannot read is kept, failed, with its error.
    const broken = await uploadRaw(h.url, people.alice.key, id, {
      name: 'broken.pdf',
      type: 'application/pdf',
      content: 'not a pdf at all',
    });
    expect(broken.status).toBe(201);
    expect(broken.body.attachments[0]).toMatchObject({
      status: 'failed',
      chunks: 0,
      error: { code: 'parse.pdf_invalid' },
    });
    const listed = await listFiles(people.alice, id);
    expect(listed.body.attachments.map((f) => f.name)).toEqual([
      'report.pdf',
      'budget.csv',
      'notes.md',
      'broken.pdf',
    ]);
  });

  it('refuses a kind the parsers do not read (415) and an upload over the limit (413), storing nothing', async () => {
    const id = await newConversation(people.alice, 'Refusals');
    const png = await uploadRaw(h.url, people.alice.key, id, {
      name: 'photo.png',
      type: 'image/png',
      content: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    });
    expect([png.status, png.body.error?.code]).toEqual([415, 'request.unsupported_media_type']);
    // One good file beside a bad one: the whole upload is refused.
    const mixed = await uploadForm(h.url, people.alice.key, id, [
      { name: 'ok.txt', type: 'text/plain', content: 'fine' },
      { name: 'tool.exe', type: 'application/x-msdownload', content: 'MZ' },
    ]);
    expect([mixed.status, mixed.body.error?.code]).toEqual([415, 'request.unsupported_media_type']);

    // Streamed past the limit: cut off long before the 4 MB the sender would send.
    const streamed = await streamUpload(h.url, people.alice.key, `/api/conversations/${id}/files`, {
      total: 4 * 1024 * 1024,
    });
    expect([streamed.status, streamed.code]).toEqual([413, 'request.too_large']);
    expect(streamed.written).toBeLessThan(2 * 1024 * 1024);
    // Declared over the limit: refused before the body is read.
    const declared = await streamUpload(h.url, people.alice.key, `/api/conversations/${id}/files`, {
      total: 32 * 1024,
      contentLength: 300 * 1024 * 1024,
    });
    expect([declared.status, declared.code]).toEqual([413, 'request.too_large']);
    // A raw body one byte over.
    const over = await uploadRaw(h.url, people.alice.key, id, {
      name: 'big.txt',
      type: 'text/plain',
      content: 'a'.repeat(LIMIT + 1),
    });
    expect([over.status, over.body.error?.code]).toEqual([413, 'request.too_large']);
    expect((await listFiles(people.alice, id)).body.attachments).toEqual([]);
    const { rows } = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM knowledge_documents d JOIN knowledge_sources s ON s.id = d.source_id
       WHERE s.conversation_id = $1`,
      [id],
    );
    expect(rows[0]?.n).toBe(0);
    // Just under the limit passes, multipart framing included.
    const fits = await uploadForm(h.url, people.alice.key, id, [
      { name: 'fits.txt', type: 'text/plain', content: 'word '.repeat((LIMIT - 16) / 5) },
    ]);
    expect(fits.status).toBe(201);
  });

  it('lets an agent answering in the conversation search its files with citations, and nobody else', async () => {
    const id = await newConversation(people.alice, 'Forecast');
    const uploaded = await uploadForm(h.url, people.alice.key, id, [
      { name: 'report.pdf', type: 'application/pdf', content: REPORT },
      { name: 'budget.csv', type: 'text/csv', content: BUDGET },
    ]);
    const [pdf, csv] = uploaded.body.attachments as [StoredFile, StoredFile];
    const { posted, prompt, output } = await ask(people.alice, id, 'What is the Q3 forecast?', [
      pdf.id,
      csv.id,
    ]);
    expect(posted.status).toBe(200);
    expect(posted.body.message.attachments).toEqual([
      { id: pdf.id, name: 'report.pdf', mediaType: 'application/pdf', size: pdf.size, readable: true },
      { id: csv.id, name: 'budget.csv', mediaType: 'text/csv', size: csv.size, readable: true },
    ]);
    const asked = prompt?.body.messages.filter((m) => m.role === 'user').at(-1);
    expect(String(asked?.content)).toContain('[attached: report.pdf, budget.csv]');
    expect(output.searched).toEqual(['attachments']);
    const fromPdf = output.results.find((r: Citation) => r.document === 'report.pdf');
    expect(fromPdf).toMatchObject({ source: 'attachments', location: 'report.pdf' });
    expect(fromPdf?.citationId).toMatch(/^K\d+$/);
    expect(fromPdf?.text).toContain('4.2 million euros');
    expect(output.results.some((r) => r.document === 'budget.csv')).toBe(true);
    expect(posted.body.replies[0]).toMatchObject({ status: 'succeeded' });
    expect(posted.body.replies[0]?.content).toContain(`[${output.results[0]?.citationId}]`);

    // A later turn's history still names the files.
    const later = await ask(people.alice, id, 'And in words?');
    const history = later.prompt?.body.messages.map((m) => String(m.content)).join('\n');
    expect(history).toContain('What is the Q3 forecast?\n\n[attached: report.pdf, budget.csv]');

    // Another conversation's run, a run outside any conversation, the knowledge API: none of them sees the files.
    const other = await newConversation(people.alice, 'Elsewhere');
    expect((await ask(people.alice, other, 'What is the Q3 forecast?')).output).toEqual({
      results: [],
      searched: [],
    });
    const outside = await call<{ run: { id: string; status: string } }>(people.alice, 'POST', '/api/runs', {
      agent: 'reader',
      task: 'What is the Q3 forecast?',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    expect(outside.body.run.status).toBe('succeeded');
    const outsideRequests = model.requests.filter((r) =>
      r.body.messages.some((m) => m.role === 'user' && String(m.content) === 'What is the Q3 forecast?'),
    );
    expect(searchOutputIn(outsideRequests.at(-1))).toEqual({ results: [], searched: [] });
    const api = await call<{ results: unknown[] }>(
      people.alice,
      'GET',
      '/api/knowledge/search?q=revenue%20forecast',
    );
    expect(api.body.results).toEqual([]);
    const sources = await call<{ sources: unknown[] }>(h.key, 'GET', '/api/sources');
    expect(sources.body.sources).toEqual([]);
  });

  it('keeps the files of a private conversation from non-members, and shares them with the space', async () => {
    const id = await newConversation(people.alice, 'Private files');
    const [mine] = (
      await uploadForm(h.url, people.alice.key, id, [
        { name: 'plan.txt', type: 'text/plain', content: 'plan' },
      ])
    ).body.attachments as [StoredFile];
    for (const who of [people.bob, people.eve]) {
      expect(
        (await uploadForm(h.url, who.key, id, [{ name: 'x.txt', type: 'text/plain', content: 'x' }])).status,
      ).toBe(404);
      expect((await listFiles(who, id)).status).toBe(404);
      expect((await call(who, 'DELETE', `/api/conversations/${id}/files/${mine.id}`)).status).toBe(404);
    }
    expect((await call(people.alice, 'PATCH', `/api/conversations/${id}`, { space: 'team' })).status).toBe(
      200,
    );
    // Bob (a member of the space) now reads, uploads and asks; Eve still gets nothing.
    expect((await listFiles(people.bob, id)).body.attachments.map((f) => f.name)).toEqual(['plan.txt']);
    const bobs = await uploadRaw(h.url, people.bob.key, id, {
      name: 'bob.txt',
      type: 'text/plain',
      content: 'bob',
    });
    expect(bobs.status).toBe(201);
    expect((await listFiles(people.eve, id)).status).toBe(404);
    // Only a file's uploader or the conversation's owner removes it.
    const denied = await call<{ error: { code: string } }>(
      people.bob,
      'DELETE',
      `/api/conversations/${id}/files/${mine.id}`,
    );
    expect([denied.status, denied.body.error.code]).toEqual([403, 'auth.forbidden']);
    expect(
      (await call(people.alice, 'DELETE', `/api/conversations/${id}/files/${bobs.body.attachments[0]!.id}`))
        .status,
    ).toBe(200);
    expect((await call(people.bob, 'DELETE', `/api/conversations/${id}/files/nope`)).status).toBe(404);
    expect((await listFiles(people.alice, id)).body.attachments.map((f) => f.name)).toEqual(['plan.txt']);
    // Bob's run in the shared conversation searches its files, until he leaves the space.
    const bobAsks = await ask(people.bob, id, 'What is the plan?');
    expect(bobAsks.output.searched).toEqual(['attachments']);
    const bobsRun = {
      runId: bobAsks.posted.body.replies[0]!.runId,
      workspaceId: h.workspaceId,
      userId: people.bob.id,
    };
    expect(await conversationFileSources(store, bobsRun)).toHaveLength(1);
    expect((await h.api('DELETE', `/api/spaces/team/members/${people.bob.id}`)).status).toBe(200);
    expect(await conversationFileSources(store, bobsRun)).toEqual([]);
    expect((await listFiles(people.bob, id)).status).toBe(404);
    // A message may carry only this conversation's files.
    const foreign = await call(people.alice, 'POST', `/api/conversations/${id}/messages`, {
      content: 'see this',
      mentions: ['reader'],
      attachments: ['fil_unknown'],
    });
    expect(foreign.status).toBe(400);
  });

  it('removes the files from search when the conversation is deleted', async () => {
    const id = await newConversation(people.alice, 'Doomed');
    const [pdf] = (
      await uploadForm(h.url, people.alice.key, id, [
        { name: 'report.pdf', type: 'application/pdf', content: REPORT },
      ])
    ).body.attachments as [StoredFile];
    const { posted, output } = await ask(people.alice, id, 'What is the Q3 forecast?', [pdf.id]);
    expect(output.results.map((r) => r.document)).toContain('report.pdf');
    const runId = posted.body.replies[0]!.runId;
    const context = { runId, workspaceId: h.workspaceId, userId: people.alice.id };
    expect(await conversationFileSources(store, context)).toHaveLength(1);

    expect((await call(people.alice, 'DELETE', `/api/conversations/${id}`)).status).toBe(200);
    expect(await conversationFileSources(store, context)).toEqual([]);
    const { rows } = await store.query<{ documents: number; chunks: number }>(
      `SELECT (SELECT count(*)::int FROM knowledge_documents d WHERE d.source_id = s.id) AS documents,
              (SELECT count(*)::int FROM knowledge_chunks c WHERE c.source_id = s.id) AS chunks
       FROM knowledge_sources s WHERE s.conversation_id = $1 AND s.deleted_at IS NOT NULL`,
      [id],
    );
    expect(rows).toEqual([{ documents: 0, chunks: 0 }]);
    expect((await listFiles(people.alice, id)).status).toBe(404);
  });
});
