import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { addHandOffReply } from '../../src/plugins/conversations/planned-replies.ts';
import { handOffTool } from '../../src/plugins/orchestration/hand-off-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Reply {
  agent: string;
  runId: string;
  status: string;
  content: string;
  handedOffBy: string | null;
}
interface Posted {
  message: { id: string; seq: number; replies: Array<{ runId: string; handedOffBy?: string }> };
  replies: Reply[];
}
interface Thread {
  messages: Array<{ role: string; authorName: string; content: string; runId: string | null }>;
}

const partsText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { text?: string }) => part.text ?? '').join('')
      : '';
const prompt = (request: RecordedRequest) =>
  request.body.messages.map((m) => [m.role, partsText(m.content)] as const);
const handOff = (agent: string, task: string) => ({
  kind: 'tool_calls' as const,
  toolCalls: [
    {
      name: 'hand_off',
      arguments: { agent, task, handoff: { goal: 'Refund order 42', done: ['Found the order'] } },
    },
  ],
});

describe.each(storeTargets())('hand_off inside a conversation on $kind', (target) => {
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
    return posted.body;
  };
  const thread = async (id: string) =>
    (await h.api<Thread>('GET', `/api/conversations/${id}`)).body.messages.map((m) => [
      m.role,
      m.authorName,
      m.content,
    ]);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([handOffTool(() => ({ ...h.agentOs.kernel, handOffReply: addHandOffReply }))]),
    });
    await h.createAgent({ name: 'triage', instructions: 'You triage.', tools: ['hand_off'] });
    await h.createAgent({ name: 'billing', instructions: 'You do billing.' });
    await h.createAgent({ name: 'auditor', instructions: 'You audit.' });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('has the agent handed to answer in the same thread, seeing the history, with its own run', async () => {
    const id = await newConversation();
    model.enqueue({ text: 'Noted, order 42.' });
    await say(id, 'My order is 42', ['triage']);

    model.enqueue(handOff('billing', 'Refund order 42'), { text: 'Refunded order 42.' });
    const before = model.requests.length;
    const posted = await say(id, 'I want a refund');
    const [triage, billing] = posted.replies;
    expect(posted.replies).toHaveLength(2);
    expect(triage).toMatchObject({ agent: 'triage', status: 'succeeded', handedOffBy: null });
    expect(triage!.content).toMatch(/^Handed off to billing \(run run_[0-9a-z]+\)\.$/);
    expect(billing).toMatchObject({
      agent: 'billing',
      status: 'succeeded',
      content: 'Refunded order 42.',
      handedOffBy: triage!.runId,
    });
    expect(billing!.runId).not.toBe(triage!.runId);

    // The receiver saw the conversation, the message it was handed, then the handoff and its task.
    const received = prompt(model.requests[before + 1]!);
    expect(received.slice(0, 4)).toEqual([
      ['system', 'You do billing.'],
      ['user', 'My order is 42'],
      ['user', '[triage (agent)]: Noted, order 42.'],
      ['user', 'I want a refund'],
    ]);
    expect(received.at(-1)?.[1]).toContain('Refund order 42');
    expect(received).toHaveLength(5);

    expect(await thread(id)).toEqual([
      ['user', 'Administrator', 'My order is 42'],
      ['agent', 'triage', 'Noted, order 42.'],
      ['user', 'Administrator', 'I want a refund'],
      ['agent', 'triage', triage!.content],
      ['agent', 'billing', 'Refunded order 42.'],
    ]);
    const messages = (await h.api<Thread>('GET', `/api/conversations/${id}`)).body.messages;
    expect(messages.at(-1)?.runId).toBe(billing!.runId);
    const run = await h.api<{ run: { conversationId: string; input: { conversation: unknown } } }>(
      'GET',
      `/api/runs/${billing!.runId}`,
    );
    expect(run.body.run.conversationId).toBe(id);
    expect(run.body.run.input.conversation).toMatchObject({
      seq: posted.message.seq,
      handedOffBy: triage!.runId,
    });

    // The conversation goes on with the agent handed to, who sees its own reply as its turn.
    model.enqueue({ text: 'It will arrive in 3 days.' });
    const next = model.requests.length;
    const followUp = await say(id, 'When will the money arrive?');
    expect(followUp.replies.map((reply) => reply.agent)).toEqual(['billing']);
    expect(prompt(model.requests[next]!).slice(-2)).toEqual([
      ['assistant', 'Refunded order 42.'],
      ['user', 'When will the money arrive?'],
    ]);
  });

  it('has an agent mentioned after the handing one answer after the agent handed to, seeing its reply', async () => {
    const id = await newConversation();
    model.enqueue(handOff('billing', 'Refund order 7'), { text: 'Refunded order 7.' }, { text: 'Audit ok.' });
    const before = model.requests.length;
    const posted = await say(id, 'Refund order 7 and check it', ['triage', 'auditor']);
    expect(posted.replies.map((reply) => [reply.agent, reply.status])).toEqual([
      ['triage', 'succeeded'],
      ['billing', 'succeeded'],
      ['auditor', 'succeeded'],
    ]);
    const auditorPrompt = prompt(model.requests[before + 2]!);
    expect(auditorPrompt[0]).toEqual(['system', 'You audit.']);
    expect(auditorPrompt.slice(1)).toEqual([
      ['user', 'Refund order 7 and check it'],
      ['user', `[triage (agent)]: ${posted.replies[0]!.content}`],
      ['user', '[billing (agent)]: Refunded order 7.'],
    ]);
    expect((await thread(id)).map(([, author]) => author)).toEqual([
      'Administrator',
      'triage',
      'billing',
      'auditor',
    ]);
  });
});
