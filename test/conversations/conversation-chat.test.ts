import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { addHandOffReply } from '../../src/plugins/conversations/planned-replies.ts';
import { handOffTool } from '../../src/plugins/orchestration/hand-off-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

/** `POST /api/conversations/:id/chat` read by the AI SDK's own client side: the transport useChat uses. */
describe.each(storeTargets())('the AI SDK UI message stream of a conversation on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let ada: TestMember;
  let eve: TestMember;

  const transport = (who: TestMember, conversationId: string) =>
    new DefaultChatTransport<UIMessage>({
      api: `${h.url}/api/conversations/${conversationId}/chat`,
      headers: { authorization: `Bearer ${who.key}` },
    });
  const userMessage = (id: string, text: string): UIMessage => ({
    id,
    role: 'user',
    parts: [{ type: 'text', text }],
  });
  const ask = async (who: TestMember, conversationId: string, messages: UIMessage[]) => {
    const stream = await transport(who, conversationId).sendMessages({
      trigger: 'submit-message',
      chatId: conversationId,
      messageId: undefined,
      messages,
      abortSignal: undefined,
    });
    let last: UIMessage | undefined;
    for await (const message of readUIMessageStream({ stream })) last = message;
    return last;
  };
  const text = (message: UIMessage | undefined) =>
    (message?.parts ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : []));

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([handOffTool(() => ({ ...h.agentOs.kernel, handOffReply: addHandOffReply }))]),
    });
    ada = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'ada@example.com',
      name: 'Ada',
      role: 'user',
    });
    eve = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'eve@example.com',
      name: 'Eve',
      role: 'user',
    });
    await h.createAgent({ name: 'helper', description: 'Helps', instructions: 'I am helper.' });
    await h.createAgent({ name: 'critic', description: 'Critiques', instructions: 'I am critic.' });
    await h.createAgent({
      name: 'triage',
      description: 'Triages',
      instructions: 'You triage.',
      tools: ['hand_off'],
    });
    await h.createAgent({ name: 'billing', description: 'Bills', instructions: 'You do billing.' });
  });
  afterAll(async () => {
    await h?.agentOs.stop();
    await model?.close();
  });

  it('streams each reply as a text part, keeps the thread, and carries the history to the next turn', async () => {
    const created = await fetch(`${h.url}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const conversationId = ((await created.json()) as { conversation: { id: string } }).conversation.id;

    model.enqueue({ text: 'Hello Ada, nice to meet you.' });
    const first = await ask(ada, conversationId, [userMessage('u1', '@helper My name is Ada')]);
    expect(first?.role).toBe('assistant');
    expect(text(first)).toEqual(['Hello Ada, nice to meet you.']);

    model.enqueue({ text: 'Your name is Ada.' });
    model.enqueue({ text: 'Agreed: Ada.' });
    const second = await ask(ada, conversationId, [
      userMessage('u1', '@helper My name is Ada'),
      { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Hello Ada, nice to meet you.' }] },
      userMessage('u2', 'What is my name? @helper @critic'),
    ]);
    expect(text(second)).toEqual(['Your name is Ada.', 'Agreed: Ada.']);
    // The second model call carried the first exchange: the conversation is the short-term memory.
    const secondCall =
      model.requests
        .at(-2)
        ?.body.messages.map((m) => String(m.content))
        .join('\n') ?? '';
    expect(secondCall).toContain('My name is Ada');
    expect(secondCall).toContain('Hello Ada, nice to meet you.');

    const thread = await fetch(`${h.url}/api/conversations/${conversationId}`, {
      headers: { authorization: `Bearer ${ada.key}` },
    });
    const messages = ((await thread.json()) as { messages: Array<{ role: string; content: string }> })
      .messages;
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', '@helper My name is Ada'],
      ['agent', 'Hello Ada, nice to meet you.'],
      ['user', 'What is my name? @helper @critic'],
      ['agent', 'Your name is Ada.'],
      ['agent', 'Agreed: Ada.'],
    ]);
  });

  it("streams the reply of an agent handed to (hand_off) right after the handing agent's", async () => {
    const created = await fetch(`${h.url}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const conversationId = ((await created.json()) as { conversation: { id: string } }).conversation.id;
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          {
            name: 'hand_off',
            arguments: {
              agent: 'billing',
              task: 'Refund order 42',
              handoff: { goal: 'Refund order 42', done: [] },
            },
          },
        ],
      },
      { text: 'Refunded order 42.' },
    );
    const reply = await ask(ada, conversationId, [userMessage('u1', '@triage I want a refund for order 42')]);
    const parts = text(reply);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^Handed off to billing \(run run_[0-9a-z]+\)\.$/);
    expect(parts[1]).toBe('Refunded order 42.');
  });

  it('answers with the UI stream header, and refuses a stranger and a body without a user message', async () => {
    const created = await fetch(`${h.url}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const conversationId = ((await created.json()) as { conversation: { id: string } }).conversation.id;
    const post = (who: TestMember, body: unknown) =>
      fetch(`${h.url}/api/conversations/${conversationId}/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${who.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post(eve, { messages: [userMessage('x', '@helper hi')] })).status).toBe(404);
    const invalid = await post(ada, {
      messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'x' }] }],
    });
    expect(invalid.status).toBe(400);
    model.enqueue({ text: 'Hi.' });
    const ok = await post(ada, { messages: [userMessage('y', '@helper hi')] });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(await ok.text()).toContain('"type":"text-delta"');
  });
});
