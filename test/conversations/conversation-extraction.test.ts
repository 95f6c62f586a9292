import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { claimExtractionWindow } from '../../src/plugins/conversations/conversation-extraction.ts';
import { EXTRACTION_INSTRUCTIONS } from '../../src/plugins/memory/run-extraction.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Posted {
  message: { seq: number };
  replies: Array<{ runId: string; status: string }>;
}

const partsText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { text?: string }) => part.text ?? '').join('')
      : '';
const isExtraction = (request: RecordedRequest) =>
  partsText(request.body.messages[0]?.content) === EXTRACTION_INSTRUCTIONS;
/** The conversation lines (`#seq author: content`) an extraction prompt carries. */
const threadLines = (request: RecordedRequest): string[] => {
  const text = partsText(request.body.messages[1]?.content);
  const start = text.indexOf('Conversation messages since the last extraction:\n');
  if (start === -1) return [];
  return text.slice(start, text.indexOf('\n\nTask:\n')).split('\n').slice(1);
};

describe.each(storeTargets())('extraction per conversation on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  let bob: TestMember;

  const sayAs = async (key: string, id: string, content: string, mentions?: string[]) => {
    const response = await fetch(`${h.url}/api/conversations/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content, wait: true, waitTimeoutMs: 20_000, mentions }),
    });
    expect(response.status).toBe(200);
    const posted = (await response.json()) as Posted;
    expect(posted.replies.every((reply) => reply.status === 'succeeded')).toBe(true);
    return posted;
  };
  const say = (id: string, content: string, mentions?: string[]) => sayAs(h.key, id, content, mentions);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
    });
    await h.createAgent({ name: 'keeper', instructions: 'You remember.', memory: { extract: true } });
    await h.createAgent({ name: 'quiet', instructions: 'You answer.' });
    bob = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'bob@example.com',
      name: 'Bob',
      role: 'user',
    });
    expect((await h.api('POST', '/api/spaces', { name: 'team', visibility: 'restricted' })).status).toBe(201);
    expect((await h.api('POST', '/api/spaces/team/members', { userId: bob.id })).status).toBe(201);
    let extracted = 0;
    model.setHandler((request) => {
      if (!isExtraction(request)) return { text: `Reply ${model.requests.length}.` };
      extracted++;
      return {
        text: JSON.stringify({ memories: [{ kind: 'fact', content: `Extracted fact ${extracted}.` }] }),
      };
    });
  });
  afterAll(async () => {
    model.setHandler(undefined);
    await h.agentOs.stop();
    await model.close();
  });

  it('reads the messages since the last extraction, never one twice, and keeps each claim on a replay', async () => {
    const id = (await h.api<{ conversation: { id: string } }>('POST', '/api/conversations', {})).body
      .conversation.id;
    model.requests.length = 0;
    const first = await say(id, 'My name is Ada.', ['keeper']);
    // An agent that does not extract answers in between: its turn is read by the next extraction.
    await say(id, 'I live in Paris.', ['quiet']);
    const third = await say(id, 'I like green tea.', ['keeper']);
    await say(id, 'Anything else?', ['keeper']);

    const extractions = model.requests.filter(isExtraction);
    expect(extractions).toHaveLength(3);
    const windows = extractions.map(threadLines);
    expect(windows[0]).toEqual(['#1 Administrator: My name is Ada.']);
    // keeper's own reply (#2) was its run's answer in the first extraction: it is not read again.
    expect(windows[1]!.map((line) => line.replace(/: .*/, ''))).toEqual([
      '#3 Administrator',
      '#4 quiet (agent)',
      '#5 Administrator',
    ]);
    expect(windows[1]![2]).toBe('#5 Administrator: I like green tea.');
    expect(windows[2]).toEqual(['#7 Administrator: Anything else?']);
    const all = windows.flat();
    expect(new Set(all).size).toBe(all.length);

    const { rows } = await h.agentOs.store.query<{ run_id: string; from_seq: number; upto_seq: number }>(
      'SELECT run_id, from_seq, upto_seq FROM conversation_extractions WHERE conversation_id = $1 ORDER BY upto_seq',
      [id],
    );
    expect(rows.map((row) => [row.from_seq, row.upto_seq])).toEqual([
      [0, 1],
      [1, 5],
      [5, 7],
    ]);
    expect(rows[1]!.run_id).toBe(third.replies[0]!.runId);
    // A replayed run finds its claim: the same window, no new claim.
    const thread = await h.api<{ messages: Array<{ author: string }> }>('GET', `/api/conversations/${id}`);
    const again = await claimExtractionWindow(h.agentOs.store, {
      conversationId: id,
      userId: thread.body.messages[0]!.author,
      runId: first.replies[0]!.runId,
      answeredSeq: first.message.seq,
    });
    expect(again).toEqual({ fromSeq: 0, uptoSeq: 1 });
    const count = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM conversation_extractions WHERE conversation_id = $1',
      [id],
    );
    expect(count.rows[0]!.n).toBe(3);

    const memories = await h.agentOs.store.query<{ content: string }>(
      `SELECT content FROM memories WHERE provenance->>'runId' = ANY($1::text[]) ORDER BY content`,
      [rows.map((row) => row.run_id)],
    );
    expect(memories.rows.map((row) => row.content)).toEqual([
      'Extracted fact 1.',
      'Extracted fact 2.',
      'Extracted fact 3.',
    ]);
  });

  it('keeps each person’s turns of a shared conversation in their own extraction', async () => {
    const id = (
      await h.api<{ conversation: { id: string } }>('POST', '/api/conversations', { space: 'team' })
    ).body.conversation.id;
    model.requests.length = 0;
    await say(id, 'Ada speaking: my badge is 7.', ['keeper']);
    await sayAs(bob.key, id, 'Bob here: my badge is 9.', ['keeper']);
    await say(id, 'Ada again.', ['keeper']);
    const windows = model.requests.filter(isExtraction).map(threadLines);
    expect(windows).toEqual([
      ['#1 Administrator: Ada speaking: my badge is 7.'],
      ['#3 Bob: Bob here: my badge is 9.'],
      ['#5 Administrator: Ada again.'],
    ]);
    const { rows } = await h.agentOs.store.query<{ user_id: string; from_seq: number; upto_seq: number }>(
      'SELECT user_id, from_seq, upto_seq FROM conversation_extractions WHERE conversation_id = $1 ORDER BY upto_seq',
      [id],
    );
    expect(rows.map((row) => [row.user_id === bob.id, row.from_seq, row.upto_seq])).toEqual([
      [false, 0, 1],
      [true, 0, 3],
      [false, 1, 5],
    ]);
  });
});
