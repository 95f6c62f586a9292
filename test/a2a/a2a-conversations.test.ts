import { randomUUID } from 'node:crypto';
import { type Message, Role, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/core/kernel/worker.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

function userMessage(text: string, contextId = ''): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId: '',
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

const send = (message: Message) => ({
  tenant: '',
  message,
  configuration: {
    acceptedOutputModes: ['text/plain'],
    taskPushNotificationConfig: undefined,
    returnImmediately: false,
  },
  metadata: undefined,
});

const partsText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { text?: string }) => part.text ?? '').join('')
      : '';
const prompt = (request: RecordedRequest) =>
  request.body.messages.map((m) => [m.role, partsText(m.content)] as const);

async function a2aError(promise: Promise<unknown>): Promise<A2AError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof A2AError) return error;
    throw error;
  }
  throw new Error('expected an A2A error');
}

interface Thread {
  conversation: { id: string; ownerId: string };
  messages: Array<{ role: string; content: string; runId: string | null }>;
}

describe.each(storeTargets())('A2A contexts are conversations on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let worker: Worker;
  let eveKey: string;

  const authedFetch = (key: string): typeof fetch =>
    createAuthenticatingFetchWithRetry(fetch, {
      headers: async () => ({ authorization: `Bearer ${key}` }),
      shouldRetryWithHeaders: async () => undefined,
    });
  const clientFor = (baseUrl: string, key = h.key): Promise<Client> =>
    new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl: authedFetch(key) })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl: authedFetch(key) }),
      }),
    ).createFromUrl(baseUrl);
  const conversationCount = async () =>
    (await h.agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations')).rows[0]!.n;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    await h.createAgent({ name: 'helper', description: 'Answers questions', instructions: 'You help.' });
    eveKey = (
      await addMember(h.agentOs.store, h.workspaceId, { email: 'eve@example.com', name: 'Eve', role: 'user' })
    ).key;
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });

  it('starts a conversation without contextId and continues it with the same contextId', async () => {
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    model.enqueue({ text: 'Nice to meet you, Ada.' });
    const first = (await client.sendMessage(send(userMessage('My name is Ada')))) as Task;
    expect(first.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(first.contextId).not.toBe(first.id);
    const started = await h.api<Thread>('GET', `/api/conversations/${first.contextId}`);
    expect(started.status).toBe(200);
    expect(started.body.messages.map((m) => [m.role, m.content, m.runId])).toEqual([
      ['user', 'My name is Ada', null],
      ['agent', 'Nice to meet you, Ada.', first.id],
    ]);

    model.enqueue({ text: 'Your name is Ada.' });
    const before = model.requests.length;
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(
      send(userMessage('What is my name?', first.contextId)),
    ))
      events.push(event);
    const task = events[0]?.payload?.$case === 'task' ? events[0].payload.value : undefined;
    expect(task?.contextId).toBe(first.contextId);
    expect(task?.id).not.toBe(first.id);
    expect(events.at(-1)?.payload?.$case === 'statusUpdate' && events.at(-1)?.payload?.value).toMatchObject({
      contextId: first.contextId,
      status: { state: TaskState.TASK_STATE_COMPLETED },
    });
    // The second run's prompt carries the first turn of the conversation.
    expect(prompt(model.requests[before]!)).toEqual([
      ['system', 'You help.'],
      ['user', 'My name is Ada'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
    const thread = await h.api<Thread>('GET', `/api/conversations/${first.contextId}`);
    expect(thread.body.messages.map((m) => m.content)).toEqual([
      'My name is Ada',
      'Nice to meet you, Ada.',
      'What is my name?',
      'Your name is Ada.',
    ]);
    const got = await client.getTask({ tenant: '', id: task!.id, historyLength: undefined });
    expect(got.contextId).toBe(first.contextId);
  });

  it('gives the same task when a message is resent with its messageId', async () => {
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    model.enqueue({ text: 'Once.' });
    const message = userMessage('Say it once');
    const conversations = await conversationCount();
    const first = (await client.sendMessage(send(message))) as Task;
    const again = (await client.sendMessage(send(message))) as Task;
    expect(again.id).toBe(first.id);
    expect(again.contextId).toBe(first.contextId);
    expect(await conversationCount()).toBe(conversations + 1);
  });

  it('refuses an unknown contextId, and another member’s private one, without starting a conversation', async () => {
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    const conversations = await conversationCount();
    const runs = model.requests.length;
    const unknown = await a2aError(client.sendMessage(send(userMessage('Hello?', 'cnv_does_not_exist'))));
    expect(unknown.name).toBe('RequestMalformedError');
    expect(unknown.message).toContain('cnv_does_not_exist');
    expect(unknown.message).toContain('contextId');

    model.enqueue({ text: 'Private answer.' });
    const mine = (await client.sendMessage(send(userMessage('A private matter')))) as Task;
    const eve = await clientFor(`${h.url}/a2a/agents/helper/`, eveKey);
    const stranger = await a2aError(eve.sendMessage(send(userMessage('Let me in', mine.contextId))));
    expect(stranger.name).toBe('RequestMalformedError');
    expect(stranger.message).toContain(mine.contextId);
    expect(await conversationCount()).toBe(conversations + 1);
    // Only the private message reached the model.
    expect(model.requests.length).toBe(runs + 1);
    const thread = await h.api<Thread>('GET', `/api/conversations/${mine.contextId}`);
    expect(thread.body.messages.map((m) => m.content)).toEqual(['A private matter', 'Private answer.']);
  });

  it('continues a conversation from a v0.3 client that sends contextId', async () => {
    const call = async (params: unknown) =>
      (await (
        await fetch(`${h.url}/a2a/agents/helper`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params }),
        })
      ).json()) as { result?: { id: string; contextId: string; status: { state: string } } };
    const message = (text: string, contextId?: string) => ({
      message: {
        kind: 'message',
        role: 'user',
        messageId: randomUUID(),
        parts: [{ kind: 'text', text }],
        ...(contextId === undefined ? {} : { contextId }),
      },
    });
    model.enqueue({ text: 'Blue it is.' }, { text: 'You said blue.' });
    const first = await call(message('My colour is blue'));
    expect(first.result?.status.state).toBe('completed');
    const before = model.requests.length;
    const second = await call(message('Which colour did I say?', first.result?.contextId));
    expect(second.result?.contextId).toBe(first.result?.contextId);
    expect(prompt(model.requests[before]!).map(([, text]) => text)).toContain('My colour is blue');
  });
});
