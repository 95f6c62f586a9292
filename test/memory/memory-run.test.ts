import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNTRUSTED_BEGIN, UNTRUSTED_END } from '../../src/core/kernel/messages.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { memoryTools } from '../../src/plugins/memory/memory-tools.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';

interface RecallOutput {
  memories: Array<{ id: string; kind: string; content: string; scope: string; createdAt: string }>;
}

describe.each(storeTargets())('agents sharing memory through tools on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let otherUserKey: string;

  const runAs = async (key: string, agent: string, task: string): Promise<RunRecord> => {
    const response = await fetch(`${h.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent, task, wait: true, waitTimeoutMs: 20_000 }),
    });
    return ((await response.json()) as { run: RunRecord }).run;
  };
  /** The output the model was given for the single tool call of the request at `index`, unfenced. */
  const toolOutput = <T>(index: number, fenced = false): T => {
    const content = String(model.requests[index]?.body.messages.find((m) => m.role === 'tool')?.content);
    if (!fenced) return JSON.parse(content) as T;
    const begin = content.indexOf(UNTRUSTED_BEGIN);
    expect(begin).toBeGreaterThan(0);
    return JSON.parse(content.slice(begin + UNTRUSTED_BEGIN.length, content.lastIndexOf(UNTRUSTED_END))) as T;
  };
  const recall = async (key: string, agent: string, query: string): Promise<RecallOutput> => {
    const first = model.requests.length;
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'recall', arguments: { query, limit: 5 } }] },
      { text: 'Here is what I remember.' },
    );
    const run = await runAs(key, agent, `What do you remember about: ${query}`);
    expect(run.status).toBe('succeeded');
    // Recalled memories may hold outside text: the model gets them fenced as untrusted data.
    return toolOutput<RecallOutput>(first + 1, true);
  };

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry(memoryTools(store)),
    });
    await h.createAgent({ name: 'scribe', tools: ['remember'] });
    await h.createAgent({ name: 'reader', tools: ['recall'] });
    const user = await h.api<{ user: { id: string } }>('POST', '/api/users', {
      email: 'outsider@example.com',
      name: 'Outsider',
      role: 'user',
    });
    otherUserKey = (
      await h.api<{ secret: string }>('POST', '/api/keys', { name: 'outsider', userId: user.body.user.id })
    ).body.secret;
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('a decision remembered by one agent is recalled by another agent for the same user, and by no one else', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          {
            name: 'remember',
            arguments: {
              content: 'Decision: the customer portal launches on 2 September with SSO only.',
              kind: 'decision',
              scope: 'user',
              subjects: ['customer portal'],
            },
          },
        ],
      },
      { text: 'Noted the launch decision.' },
    );
    const first = model.requests.length;
    const written = await runAs(h.key, 'scribe', 'We decided: the portal launches on 2 September, SSO only.');
    expect(written.status).toBe('succeeded');
    const remembered = toolOutput<{ id: string; scope: string; kind: string; merged: boolean }>(first + 1);
    expect(remembered).toMatchObject({ merged: false, scope: 'user', kind: 'decision' });

    const { rows } = await h.agentOs.store.query<{
      provenance: { source: string; runId: string; agentId: string };
    }>('SELECT provenance FROM memories WHERE id = $1', [remembered.id]);
    expect(rows[0]?.provenance).toMatchObject({ source: 'agent_inferred', runId: written.id });

    const recalled = await recall(h.key, 'reader', 'When does the customer portal launch?');
    expect(recalled.memories[0]).toMatchObject({
      id: remembered.id,
      kind: 'decision',
      content: 'Decision: the customer portal launches on 2 September with SSO only.',
    });
    expect(Date.parse(recalled.memories[0]!.createdAt)).not.toBeNaN();

    const outsider = await recall(otherUserKey, 'reader', 'When does the customer portal launch?');
    expect(outsider.memories.map((memory) => memory.id)).not.toContain(remembered.id);
    expect(JSON.stringify(outsider)).not.toContain('2 September');
  });

  it("keeps an agent's own scope away from other agents, and shares the workspace scope with everyone", async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'remember', arguments: { content: 'Scribe drafts use the house style guide v3.' } },
          {
            name: 'remember',
            arguments: { content: 'The incident review meets every Thursday at 15:00.', scope: 'workspace' },
          },
        ],
      },
      { text: 'Stored both.' },
    );
    expect((await runAs(h.key, 'scribe', 'Remember the style guide and the review meeting')).status).toBe(
      'succeeded',
    );
    const reader = await recall(h.key, 'reader', 'house style guide drafts');
    expect(JSON.stringify(reader)).not.toContain('style guide v3');
    const outsider = await recall(otherUserKey, 'reader', 'When does the incident review meet?');
    expect(outsider.memories[0]?.content).toBe('The incident review meets every Thursday at 15:00.');
  });
});
