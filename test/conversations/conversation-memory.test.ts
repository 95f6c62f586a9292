import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { SUMMARY_INSTRUCTIONS } from '../../src/plugins/conversations/conversation-history.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Message {
  seq: number;
  role: string;
  content: string;
  runId: string | null;
}
interface Posted {
  message: Message;
  replies: Array<{ runId: string; status: string; content: string }>;
}

const partsText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { text?: string }) => part.text ?? '').join('')
      : '';
const texts = (request: RecordedRequest): string[] => request.body.messages.map((m) => partsText(m.content));
/** The prompt's size as the kernel estimates it for a provider without a tokenizer (token-counter.ts). */
const promptTokens = (request: RecordedRequest): number =>
  texts(request).reduce((sum, text) => sum + Math.ceil(text.length / 3.5) + 4, 0);
const isSummaryCall = (request: RecordedRequest) => texts(request)[0] === SUMMARY_INSTRUCTIONS;

/** A scripted summarizer that keeps, from what it is given, every sentence stating a name. */
function summarize(request: RecordedRequest): string {
  const input = texts(request).slice(1).join('\n');
  const facts = [...new Set(input.match(/[^.\n:]*\bname is \w+/g) ?? [])].map((fact) => fact.trim());
  return `Facts: ${facts.join('. ')}.`;
}

describe.each(storeTargets())('conversations as short-term memory on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;

  const newConversation = async () =>
    (await h.api<{ conversation: { id: string } }>('POST', '/api/conversations', {})).body.conversation.id;
  const say = async (id: string, content: string, mentions?: string[]) => {
    const posted = await h.api<Posted>('POST', `/api/conversations/${id}/messages`, {
      content,
      wait: true,
      waitTimeoutMs: 20_000,
      ...(mentions === undefined ? {} : { mentions }),
    });
    expect(posted.status).toBe(200);
    expect(posted.body.replies.every((reply) => reply.status === 'succeeded')).toBe(true);
    return posted.body;
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({ store, modelBaseUrl: model.url, tools: new ToolRegistry([]) });
    await h.createAgent({ name: 'assistant', instructions: 'You are a helpful assistant.' });
    await h.createAgent({
      name: 'tight',
      instructions: 'You are a helpful assistant.',
      memory: { contextTokens: 2_000 },
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('remembers the first exchange when asked a follow-up', async () => {
    const id = await newConversation();
    model.enqueue({ text: 'Nice to meet you, Ada.' });
    await say(id, 'My name is Ada', ['assistant']);
    model.enqueue({ text: 'Your name is Ada.' });
    const before = model.requests.length;
    await say(id, 'What is my name?');
    const second = model.requests[before]!;
    expect(second.body.messages.map((m) => [m.role, partsText(m.content)])).toEqual([
      ['system', 'You are a helpful assistant.'],
      ['user', 'My name is Ada'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
  });

  it('keeps a 60-message conversation within a 2,000-token budget, with a fact from message 1 at message 60', async () => {
    const id = await newConversation();
    const filler =
      'The weather report mentions light rain, mild wind and a chance of sun later in the week. ';
    model.requests.length = 0;
    model.setHandler((request) =>
      isSummaryCall(request) ? { text: summarize(request) } : { text: `Noted. ${filler.repeat(2)}` },
    );
    await say(id, 'Hello, my name is Ada.', ['tight']);
    for (let i = 2; i <= 30; i++) await say(id, `Update ${i}: ${filler.repeat(3)}`);
    const thread = (await h.api<{ messages: Message[] }>('GET', `/api/conversations/${id}`)).body.messages;
    expect(thread).toHaveLength(60);

    const calls = model.requests;
    for (const call of calls) expect(promptTokens(call)).toBeLessThanOrEqual(2_000);
    const summaries = calls.filter(isSummaryCall);
    // Compaction happens now and then, never for every message.
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThan(10);
    const last = calls.filter((call) => !isSummaryCall(call)).at(-1)!;
    // Message 1 itself is long gone from the prompt; its fact lives on in the summary.
    expect(texts(last)).not.toContain('Hello, my name is Ada.');
    expect(texts(last).find((text) => text.startsWith('Summary of the earlier conversation'))).toContain(
      'name is Ada',
    );
    const { rows } = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM conversation_summaries WHERE conversation_id = $1',
      [id],
    );
    expect(rows[0]!.n).toBe(summaries.length);
    model.setHandler(undefined);
  });

  it('replays a reply after a crash with the same prompt and no second message', async () => {
    const id = await newConversation();
    model.enqueue({ text: 'Hi Ada.' });
    await say(id, 'My name is Ada', ['assistant']);
    model.enqueue({ text: 'Paris.' });
    const before = model.requests.length;
    const asked = await say(id, 'Where do I live? I said Paris once.');
    const original = model.requests[before]!;
    const runId = asked.replies[0]!.runId;
    // Later messages must not leak into the replayed prompt.
    model.enqueue({ text: 'Later reply.' });
    await say(id, 'Something later');
    // The worker "died" before committing its answer; another worker resumes the run.
    await h.agentOs.store.query("DELETE FROM run_steps WHERE run_id = $1 AND kind = 'model'", [runId]);
    await h.agentOs.store.query(
      "UPDATE runs SET status = 'running', output = NULL, lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [runId],
    );
    model.requests.length = 0;
    model.enqueue({ text: 'Paris, again.' });
    const resumed = await eventually(
      async () => {
        const { run } = (await h.api<{ run: RunRecord }>('GET', `/api/runs/${runId}`)).body;
        expect(run.status).toBe('succeeded');
        expect(run.output).not.toBeNull();
        return run;
      },
      { timeoutMs: 10_000 },
    );
    expect(resumed.status).toBe('succeeded');
    expect(model.requests).toHaveLength(1);
    expect(JSON.stringify(model.requests[0]!.body.messages)).toBe(JSON.stringify(original.body.messages));
    const thread = (await h.api<{ messages: Message[] }>('GET', `/api/conversations/${id}`)).body.messages;
    expect(thread.filter((m) => m.runId === runId)).toHaveLength(1);
    expect(thread).toHaveLength(6);
  });
});
