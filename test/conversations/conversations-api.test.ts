import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, readSse, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Conversation {
  id: string;
  title: string;
  ownerId: string;
  spaceId: string | null;
  archived: boolean;
}
interface Message {
  seq: number;
  role: 'user' | 'agent';
  author: string;
  content: string;
  runId: string | null;
  createdAt: string;
}
interface Reply {
  agent: string;
  runId: string;
  status: string;
  content: string;
}

const lastUserText = (body: { messages: Array<{ role: string; content?: unknown }> }): string => {
  const last = body.messages.filter((m) => m.role === 'user').at(-1);
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
};

describe.each(storeTargets())('conversations API on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const people: Record<'alice' | 'bob' | 'eve', TestMember> = {} as never;

  const call = async <T>(who: TestMember | string, method: string, path: string, body?: unknown) => {
    const key = typeof who === 'string' ? who : who.key;
    const response = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text.startsWith('{') ? JSON.parse(text) : text) as T,
      headers: response.headers,
    };
  };
  const post = (who: TestMember, id: string, body: Record<string, unknown>) =>
    call<{ message: Message; replies: Reply[] }>(who, 'POST', `/api/conversations/${id}/messages`, {
      wait: true,
      waitTimeoutMs: 20_000,
      ...body,
    });

  beforeAll(async () => {
    model = await startScriptedModelServer();
    // Each agent echoes who it is and what it was asked, so order and attribution are visible.
    model.setHandler((request) => {
      const system = request.body.messages.find((m) => m.role === 'system');
      const who = typeof system?.content === 'string' ? system.content.slice(0, 20) : 'agent';
      return { text: `${who} re: ${lastUserText(request.body)}` };
    });
    const store = await target.open();
    h = await startKernelHarness({ store, modelBaseUrl: model.url, tools: new ToolRegistry([]) });
    for (const name of ['alice', 'bob', 'eve'] as const) {
      people[name] = await addMember(store, h.workspaceId, {
        email: `${name}@example.com`,
        name,
        role: 'user',
      });
    }
    expect(
      (await call(h.key, 'POST', '/api/spaces', { name: 'team', visibility: 'restricted' })).status,
    ).toBe(201);
    for (const who of [people.alice, people.bob]) {
      expect((await call(h.key, 'POST', '/api/spaces/team/members', { userId: who.id })).status).toBe(201);
    }
    await h.createAgent({ name: 'helper', description: 'General help', instructions: 'I am helper.' });
    await h.createAgent({ name: 'critic', description: 'Critique', instructions: 'I am critic.' });
    await h.createAgent({
      name: 'secret',
      description: 'Team only',
      instructions: 'I am secret.',
      space: 'team',
    });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('creates a conversation, answers a message, and shows the thread in order', async () => {
    const created = await call<{ conversation: Conversation }>(
      people.alice,
      'POST',
      '/api/conversations',
      {},
    );
    expect(created.status).toBe(201);
    const { id } = created.body.conversation;
    expect(created.body.conversation).toMatchObject({ ownerId: people.alice.id, spaceId: null, title: '' });

    const first = await post(people.alice, id, { content: 'Plan the offsite @helper' });
    expect(first.status).toBe(200);
    expect(first.body.message).toMatchObject({ role: 'user', author: people.alice.id, seq: 1 });
    expect(first.body.replies).toEqual([
      expect.objectContaining({
        agent: 'helper',
        status: 'succeeded',
        content: 'I am helper. re: Plan the offsite @helper',
      }),
    ]);
    // No mention: the agent that answered last answers again.
    const second = await post(people.alice, id, { content: 'And the budget?' });
    expect(second.body.replies.map((r) => r.agent)).toEqual(['helper']);
    // Two mentions: in order, the second seeing the first's reply.
    const third = await post(people.alice, id, { content: 'Review this', mentions: ['critic', 'helper'] });
    expect(third.body.replies.map((r) => [r.agent, r.status])).toEqual([
      ['critic', 'succeeded'],
      ['helper', 'succeeded'],
    ]);
    const helperCall = model.requests.at(-1)!.body.messages.map((m) => JSON.stringify(m.content));
    expect(helperCall.some((text) => text.includes('[critic (agent)]: I am critic. re: Review this'))).toBe(
      true,
    );

    const thread = await call<{ conversation: Conversation; messages: Message[] }>(
      people.alice,
      'GET',
      `/api/conversations/${id}`,
    );
    expect(thread.body.conversation.title).toBe('Plan the offsite @helper');
    expect(thread.body.messages.map((m) => [m.seq, m.role, m.content.slice(0, 16)])).toEqual([
      [1, 'user', 'Plan the offsite'],
      [2, 'agent', 'I am helper. re:'],
      [3, 'user', 'And the budget?'],
      [4, 'agent', 'I am helper. re:'],
      [5, 'user', 'Review this'],
      [6, 'agent', 'I am critic. re:'],
      [7, 'agent', 'I am helper. re:'],
    ]);
    expect(thread.body.messages[1]!.runId).toBe(first.body.replies[0]!.runId);
    const run = await call<{ run: { conversationId: string; userId: string } }>(
      h.key,
      'GET',
      `/api/runs/${first.body.replies[0]!.runId}`,
    );
    expect(run.body.run).toMatchObject({ conversationId: id, userId: people.alice.id });
  });

  it('answers at once without wait, and streams the reply on the events stream', async () => {
    const { body } = await call<{ conversation: Conversation }>(people.alice, 'POST', '/api/conversations', {
      title: 'Streaming',
    });
    const posted = await call<{ message: Message; replies: Reply[] }>(
      people.alice,
      'POST',
      `/api/conversations/${body.conversation.id}/messages`,
      {
        content: 'Hello @helper',
      },
    );
    expect(posted.status).toBe(200);
    expect(['queued', 'running', 'succeeded']).toContain(posted.body.replies[0]!.status);
    const response = await fetch(`${h.url}/api/conversations/${body.conversation.id}/events`, {
      headers: { authorization: `Bearer ${people.alice.key}` },
    });
    const events = await readSse(
      response,
      (event) => event.event === 'message' && event.data.includes('"role":"agent"'),
    );
    const messages = events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as Message);
    expect(messages.map((m) => m.role)).toEqual(['user', 'agent']);
    expect(messages[1]!.content).toBe('I am helper. re: Hello @helper');
    // Resuming after the first message replays only what came after it.
    const resumed = await fetch(`${h.url}/api/conversations/${body.conversation.id}/events`, {
      headers: { authorization: `Bearer ${people.alice.key}`, 'last-event-id': events[0]!.id! },
    });
    const after = await readSse(resumed, (event) => event.event === 'message');
    expect(JSON.parse(after.at(-1)!.data)).toMatchObject({ role: 'agent', seq: 2 });
    const stale = await call(
      people.alice,
      'GET',
      `/api/conversations/${body.conversation.id}/events?after=nope`,
    );
    expect(stale.status).toBe(400);
  });

  it('keeps a private conversation from everyone else, and shares it with a space', async () => {
    const { body } = await call<{ conversation: Conversation }>(people.alice, 'POST', '/api/conversations', {
      title: 'Team plans',
    });
    const id = body.conversation.id;
    await post(people.alice, id, { content: 'Team only @secret' });
    for (const who of [people.bob, people.eve]) {
      expect((await call(who, 'GET', `/api/conversations/${id}`)).status).toBe(404);
      expect((await post(who, id, { content: 'hi @helper' })).status).toBe(404);
      const list = await call<{ conversations: Conversation[] }>(who, 'GET', '/api/conversations');
      expect(list.body.conversations.map((c) => c.id)).not.toContain(id);
    }
    const shared = await call<{ conversation: Conversation }>(
      people.alice,
      'PATCH',
      `/api/conversations/${id}`,
      { space: 'team' },
    );
    expect(shared.status).toBe(200);
    expect(shared.body.conversation.spaceId).not.toBeNull();
    // Bob is in the team: he reads, lists, posts (acting for himself) and may mention the team's agent.
    const read = await call<{ messages: Message[] }>(people.bob, 'GET', `/api/conversations/${id}`);
    expect(read.body.messages).toHaveLength(2);
    const bobPost = await post(people.bob, id, { content: 'Me too @secret' });
    expect(bobPost.body.replies[0]).toMatchObject({ agent: 'secret', status: 'succeeded' });
    const bobRun = await call<{ run: { userId: string } }>(
      h.key,
      'GET',
      `/api/runs/${bobPost.body.replies[0]!.runId}`,
    );
    expect(bobRun.body.run.userId).toBe(people.bob.id);
    // A run's visibility is its conversation's: Alice (the owner) reads Bob's reply run, Eve does not.
    const aliceReplyRun = (await post(people.alice, id, { content: 'And @helper?' })).body.replies[0]!.runId;
    const runIds = [bobPost.body.replies[0]!.runId, aliceReplyRun];
    for (const runId of runIds) {
      expect((await call(people.alice, 'GET', `/api/runs/${runId}`)).status).toBe(200);
      expect((await call(people.bob, 'GET', `/api/runs/${runId}/steps`)).status).toBe(200);
      expect((await call(people.eve, 'GET', `/api/runs/${runId}`)).status).toBe(404);
      expect((await call(people.eve, 'GET', `/api/runs/${runId}/steps`)).status).toBe(404);
    }
    const bobsList = await call<{ runs: Array<{ id: string }> }>(people.bob, 'GET', '/api/runs');
    expect(bobsList.body.runs.map((run) => run.id)).toEqual(expect.arrayContaining(runIds));
    const evesList = await call<{ runs: Array<{ id: string }> }>(people.eve, 'GET', '/api/runs');
    expect(evesList.body.runs.map((run) => run.id)).not.toContain(aliceReplyRun);
    expect(
      (
        await call<{ conversations: Conversation[] }>(people.bob, 'GET', '/api/conversations')
      ).body.conversations.map((c) => c.id),
    ).toContain(id);
    // Eve is not: nothing changes for her. Only the owner shares, renames or deletes.
    expect((await call(people.eve, 'GET', `/api/conversations/${id}`)).status).toBe(404);
    expect((await call(people.bob, 'PATCH', `/api/conversations/${id}`, { space: null })).status).toBe(403);
    expect((await call(people.eve, 'PATCH', `/api/conversations/${id}`, { title: 'x' })).status).toBe(404);
    // Unshared: Bob loses it again.
    await call(people.alice, 'PATCH', `/api/conversations/${id}`, { space: null });
    expect((await call(people.bob, 'GET', `/api/conversations/${id}`)).status).toBe(404);
    // ... and the runs that answered Alice in it; his own stay his.
    expect((await call(people.bob, 'GET', `/api/runs/${aliceReplyRun}`)).status).toBe(404);
    expect((await call(people.bob, 'GET', `/api/runs/${runIds[0]}`)).status).toBe(200);
  });

  it('refuses a restricted agent to a non-member of its space, like a missing one', async () => {
    const { body } = await call<{ conversation: Conversation }>(people.eve, 'POST', '/api/conversations', {});
    const refused = await post(people.eve, body.conversation.id, { content: 'hi', mentions: ['secret'] });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ error: { code: 'resource.not_found' } });
    expect(
      (await post(people.eve, body.conversation.id, { content: 'x', mentions: ['nobody'] })).status,
    ).toBe(404);
    expect((await post(people.eve, body.conversation.id, { content: '' })).status).toBe(400);
  });

  it('gives two people posting at once into a shared conversation one consistent order', async () => {
    const { body } = await call<{ conversation: Conversation }>(people.alice, 'POST', '/api/conversations', {
      space: 'team',
    });
    const id = body.conversation.id;
    const posts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(i % 2 === 0 ? people.alice : people.bob, id, { content: `message ${i} @helper`, wait: false }),
      ),
    );
    expect(posts.every((p) => p.status === 200)).toBe(true);
    const seqs = posts.map((p) => p.body.message.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(6);
    const thread = await eventually(
      async () => {
        const { messages } = (
          await call<{ messages: Message[] }>(people.bob, 'GET', `/api/conversations/${id}`)
        ).body;
        expect(messages).toHaveLength(12);
        return messages;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(thread.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const seenByAlice = (await call<{ messages: Message[] }>(people.alice, 'GET', `/api/conversations/${id}`))
      .body.messages;
    expect(seenByAlice).toEqual(thread);
  });

  it('lists newest first, searches, archives, exports and deletes', async () => {
    const make = async (title: string) =>
      (await call<{ conversation: Conversation }>(people.eve, 'POST', '/api/conversations', { title })).body
        .conversation.id;
    const older = await make('Quarterly numbers');
    const newer = await make('Holiday rota');
    await post(people.eve, newer, { content: 'Who covers December? @helper' });
    const list = await call<{ conversations: Conversation[] }>(people.eve, 'GET', '/api/conversations');
    const ids = list.body.conversations.map((c) => c.id);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    const byTitle = await call<{ conversations: Conversation[] }>(
      people.eve,
      'GET',
      '/api/conversations?q=quarterly',
    );
    expect(byTitle.body.conversations.map((c) => c.id)).toEqual([older]);
    const byContent = await call<{ conversations: Conversation[] }>(
      people.eve,
      'GET',
      '/api/conversations?q=december',
    );
    expect(byContent.body.conversations.map((c) => c.id)).toEqual([newer]);

    const archived = await call<{ conversation: Conversation }>(
      people.eve,
      'PATCH',
      `/api/conversations/${older}`,
      {
        archived: true,
        title: 'Q3 numbers',
      },
    );
    expect(archived.body.conversation).toMatchObject({ archived: true, title: 'Q3 numbers' });
    const live = await call<{ conversations: Conversation[] }>(
      people.eve,
      'GET',
      '/api/conversations?archived=false',
    );
    expect(live.body.conversations.map((c) => c.id)).not.toContain(older);

    const md = await call<string>(people.eve, 'GET', `/api/conversations/${newer}/export?format=md`);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(md.body).toContain('# Holiday rota');
    expect(md.body).toContain('## eve ·');
    expect(md.body).toContain('I am helper. re: Who covers December? @helper');
    const json = await call<{ format: string; messages: Message[] }>(
      people.eve,
      'GET',
      `/api/conversations/${newer}/export?format=json`,
    );
    expect(json.body.format).toBe('agentos.conversation/v1');
    expect(json.body.messages.map((m) => m.role)).toEqual(['user', 'agent']);

    expect((await call(people.eve, 'DELETE', `/api/conversations/${newer}`)).status).toBe(200);
    expect((await call(people.eve, 'GET', `/api/conversations/${newer}`)).status).toBe(404);
    const after = await call<{ conversations: Conversation[] }>(people.eve, 'GET', '/api/conversations');
    expect(after.body.conversations.map((c) => c.id)).not.toContain(newer);
  });
});
