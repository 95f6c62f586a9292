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
import { askHumanTool } from '../../src/plugins/orchestration/ask-human-tool.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

function userMessage(text: string, taskId = ''): Message {
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId,
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

const send = (message: Message, options: { returnImmediately?: boolean; agent?: string } = {}) => ({
  tenant: '',
  message,
  configuration: {
    acceptedOutputModes: ['text/plain'],
    taskPushNotificationConfig: undefined,
    returnImmediately: options.returnImmediately ?? false,
  },
  metadata: options.agent === undefined ? undefined : { agent: options.agent },
});

const textOf = (task: Task): string | undefined => {
  const content = task.artifacts[0]?.parts[0]?.content;
  return content?.$case === 'text' ? content.value : undefined;
};

async function a2aError(promise: Promise<unknown>): Promise<A2AError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof A2AError) return error;
    throw error;
  }
  throw new Error('expected an A2A error');
}

describe.each(storeTargets())('A2A with the official SDK client on $kind', (target) => {
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

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([askHumanTool()]),
      roles: ['api'],
    });
    worker = h.agentOs.kernel.startWorker({ leaseMs: 3_000, pollMs: 20 });
    await h.createAgent({ name: 'helper', description: 'Answers questions', instructions: 'You help.' });
    await h.createAgent({ name: 'painter', description: 'Paints things', tools: ['ask_human'] });
    eveKey = (
      await addMember(h.agentOs.store, h.workspaceId, {
        email: 'eve@example.com',
        name: 'Eve',
        role: 'builder',
      })
    ).key;
    const space = await h.api<{ space: { id: string } }>('POST', '/api/spaces', {
      name: 'finance',
      visibility: 'restricted',
    });
    expect(space.status).toBe(201);
    await h.createAgent({ name: 'ledger', description: 'Keeps the books', space: space.body.space.id });
  });
  afterAll(async () => {
    await worker.stop();
    await h.agentOs.stop();
    await model.close();
  });

  it('serves a public workspace card that names no agents, and per-agent cards only with a key', async () => {
    const card = await new DefaultAgentCardResolver().resolve(h.url);
    expect(card.name).toBe('Agent OS');
    expect(card.capabilities?.streaming).toBe(true);
    expect(card.skills).toEqual([]);
    expect(card.securitySchemes.bearer?.scheme?.$case).toBe('httpAuthSecurityScheme');
    expect(card.defaultInputModes).toEqual(['text/plain']);
    expect(card.supportedInterfaces.map((i) => `${i.protocolBinding} ${i.protocolVersion} ${i.url}`)).toEqual(
      [`JSONRPC 1.0 ${h.url}/a2a`, `JSONRPC 0.3 ${h.url}/a2a`],
    );
    const raw = await (await fetch(`${h.url}/.well-known/agent-card.json`)).text();
    expect(raw).not.toContain('helper');

    expect((await fetch(`${h.url}/a2a/agents/helper/.well-known/agent-card.json`)).status).toBe(401);
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    const agentCard = await client.getAgentCard();
    expect(agentCard.name).toBe('helper');
    expect(agentCard.skills.map((skill) => skill.id)).toEqual(['helper']);
    // The extended card of the workspace endpoint lists the agents this caller may run.
    const workspace = await clientFor(h.url);
    const extended = await workspace.getAgentCard();
    expect(extended.skills.map((skill) => skill.id).sort()).toEqual(['helper', 'ledger', 'painter']);
    const eveView = await (await clientFor(h.url, eveKey)).getAgentCard();
    expect(eveView.skills.map((skill) => skill.id).sort()).toEqual(['helper', 'painter']);
  });

  it('runs a message as a task, answers with an artifact, and reads the task back', async () => {
    model.enqueue({ text: 'The answer is 42.' });
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    const result = await client.sendMessage(send(userMessage('What is the answer?')));
    expect('status' in result).toBe(true);
    const task = result as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(task)).toBe('The answer is 42.');
    const run = await h.api<{ run: { status: string; output: { text: string } } }>(
      'GET',
      `/api/runs/${task.id}`,
    );
    expect(run.body.run).toMatchObject({ status: 'succeeded', output: { text: 'The answer is 42.' } });
    const again = await client.getTask({ tenant: '', id: task.id, historyLength: undefined });
    expect(again.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(again.history[0]?.parts[0]?.content).toEqual({ $case: 'text', value: 'What is the answer?' });
  });

  it('streams status updates and the answer as an artifact', async () => {
    model.enqueue({ text: 'Streamed answer.', delayMs: 800 });
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(send(userMessage('Stream please'))))
      events.push(event);
    const kinds = events.map((event) => event.payload?.$case);
    expect(kinds[0]).toBe('task');
    expect(kinds.at(-1)).toBe('statusUpdate');
    const states = events.flatMap((event) =>
      event.payload?.$case === 'statusUpdate' ? [event.payload.value.status?.state] : [],
    );
    expect(states).toEqual([TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_COMPLETED]);
    const artifact = events.find((event) => event.payload?.$case === 'artifactUpdate');
    expect(
      artifact?.payload?.$case === 'artifactUpdate' && artifact.payload.value.artifact?.parts[0]?.content,
    ).toEqual({
      $case: 'text',
      value: 'Streamed answer.',
    });
  });

  it('asks for input when the agent asks a question, and continues with the answer sent to the task', async () => {
    model.enqueue({
      kind: 'tool_calls',
      toolCalls: [{ name: 'ask_human', arguments: { question: 'Which colour?' } }],
    });
    const client = await clientFor(`${h.url}/a2a/agents/painter/`);
    const asked = (await client.sendMessage(send(userMessage('Paint the shed')))) as Task;
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(asked.status?.message?.parts[0]?.content).toEqual({ $case: 'text', value: 'Which colour?' });

    model.enqueue({ text: 'Painting it blue.' });
    const done = (await client.sendMessage(send(userMessage('blue', asked.id)))) as Task;
    expect(done.id).toBe(asked.id);
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(done)).toBe('Painting it blue.');
    const again = await a2aError(client.sendMessage(send(userMessage('red', asked.id))));
    expect(again.name).toBe('UnsupportedOperationError');
  });

  it('cancels a running task, then refuses to cancel it again', async () => {
    model.enqueue({ kind: 'hang' });
    const client = await clientFor(`${h.url}/a2a/agents/helper/`);
    const started = (await client.sendMessage(
      send(userMessage('Take forever'), { returnImmediately: true }),
    )) as Task;
    expect(started.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    await eventually(
      async () =>
        expect((await client.getTask({ tenant: '', id: started.id, historyLength: 0 })).status?.state).toBe(
          TaskState.TASK_STATE_CANCELED,
        ),
      { timeoutMs: 5_000 },
    );
    const error = await a2aError(client.cancelTask({ tenant: '', id: started.id, metadata: undefined }));
    expect(error.name).toBe('TaskNotCancelableError');
  });

  it('answers unknown and other users’ tasks with TaskNotFound, and invisible agents with an error', async () => {
    const client = await clientFor(h.url);
    const missing = await a2aError(
      client.getTask({ tenant: '', id: 'run_does_not_exist', historyLength: undefined }),
    );
    expect(missing.name).toBe('TaskNotFoundError');

    model.enqueue({ text: 'Mine.' });
    const mine = (await client.sendMessage(send(userMessage('Whose?'), { agent: 'helper' }))) as Task;
    expect(textOf(mine)).toBe('Mine.');
    const eve = await clientFor(h.url, eveKey);
    const hidden = await a2aError(eve.getTask({ tenant: '', id: mine.id, historyLength: undefined }));
    expect(hidden.name).toBe('TaskNotFoundError');

    // Eve is not in the restricted space: its agent is neither runnable nor discoverable for her.
    const denied = await a2aError(eve.sendMessage(send(userMessage('Books?'), { agent: 'ledger' })));
    expect(denied.name).toBe('RequestMalformedError');
    expect(denied.message).toContain('ledger');
    const card = await fetch(`${h.url}/a2a/agents/ledger/.well-known/agent-card.json`, {
      headers: { authorization: `Bearer ${eveKey}` },
    });
    expect(card.status).toBe(404);
  });

  it('refuses JSON-RPC without an API key with 401', async () => {
    const response = await fetch(`${h.url}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(response.status).toBe(401);
    const unauthenticated = await new ClientFactory().createFromUrl(h.url);
    await expect(
      unauthenticated.getTask({ tenant: '', id: 'x', historyLength: undefined }),
    ).rejects.toThrow();
  });

  it('speaks the v0.3 JSON-RPC methods to clients that send no version header', async () => {
    model.enqueue({ text: 'Legacy answer.' });
    const call = async (method: string, params: unknown) =>
      (await (
        await fetch(`${h.url}/a2a`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
        })
      ).json()) as { id: number; result?: Record<string, unknown>; error?: { code: number } };
    const sent = await call('message/send', {
      message: {
        kind: 'message',
        role: 'user',
        messageId: randomUUID(),
        parts: [{ kind: 'text', text: 'Old client here' }],
      },
      metadata: { agent: 'helper' },
    });
    expect(sent.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
    const got = await call('tasks/get', { id: sent.result?.id });
    expect(got.result).toMatchObject({
      id: sent.result?.id,
      artifacts: [{ parts: [{ kind: 'text', text: 'Legacy answer.' }] }],
    });
    expect((await call('tasks/get', { id: 'nope' })).error?.code).toBe(-32001);
  });
});
