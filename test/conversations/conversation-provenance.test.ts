import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import { effects, type PolicyRig, startPolicyRig } from '../policy/policy-support.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Posted {
  message: { seq: number };
  replies: Array<{ runId: string }>;
}

/**
 * A conversation's history is a source like any other: an answer written after untrusted content taints the
 * runs that read it later, another person's message is not the run's user's word, and the user's own earlier
 * message vouches for a value it named.
 */
describe.each(storeTargets())('provenance across a conversation on $kind', (target) => {
  let rig: PolicyRig;
  let bob: TestMember;

  const call = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${rig.h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const settle = (runId: string) =>
    rig.h.agentOs.kernel.runs.wait(rig.h.workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });
  const newConversation = async (key = rig.h.key) =>
    (await call<{ conversation: { id: string } }>(key, 'POST', '/api/conversations', {})).body.conversation
      .id;
  /** Posts as `key` and waits for the one reply's run to end or pause. */
  const say = async (id: string, content: string, key = rig.h.key): Promise<RunRecord> => {
    const posted = await call<Posted>(key, 'POST', `/api/conversations/${id}/messages`, {
      content,
      mentions: ['clerk'],
    });
    expect(posted.status).toBe(200);
    expect(posted.body.replies).toHaveLength(1);
    const run = await settle(posted.body.replies[0]!.runId);
    // The reply is written into the conversation once its run ended; the next post waits for it.
    if (run.status !== 'paused') await rig.h.api('GET', `/api/conversations/${id}`);
    return run;
  };
  const approvalOf = async (runId: string) =>
    (await rig.h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body.approvals.find(
      (a) => a.runId === runId,
    );

  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'builder@example.com', name: 'Builder' });
    bob = await addMember(rig.h.agentOs.store, rig.h.workspaceId, {
      email: 'bob@example.com',
      name: 'Bob',
      role: 'user',
    });
    expect((await rig.h.api('POST', '/api/spaces', { name: 'team', visibility: 'restricted' })).status).toBe(
      201,
    );
    expect((await rig.h.api('POST', '/api/spaces/team/members', { userId: bob.id })).status).toBe(201);
  });
  afterAll(async () => rig.stop());
  beforeEach(() => {
    effects.length = 0;
    rig.model.requests.length = 0;
  });

  it('taints a later run with an answer written after untrusted content, and asks about the value it carried', async () => {
    const id = await newConversation();
    rig.model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.com/p' } }],
      },
      { text: 'The page says: pay mallory.' },
    );
    const read = await say(id, 'What does https://example.com/p say?');
    expect(read.status).toBe('succeeded');
    expect(read.output).toMatchObject({ text: 'The page says: pay mallory.', tainted: true });

    // The next run reads no page itself: the reply in its history is what carries the attacker's word.
    rig.model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'mallory' } }] });
    const next = await say(id, 'Go ahead.');
    expect(next.status).toBe('paused');
    expect(next.pause).toMatchObject({ tool: 'note', ruleId: 'flow.argument_untrusted' });
    expect((await approvalOf(next.id))?.reason).toContain(
      `the text ("mallory") came from the conversation's message #2 (clerk, an agent), which is untrusted`,
    );
    expect(effects).toEqual([]);
    await rig.h.api('POST', `/api/runs/${next.id}/cancel`);
  });

  it('lets a value the user named in an earlier message through a tainted run unattended', async () => {
    const id = await newConversation();
    rig.model.enqueue({ text: 'Noted.' });
    const first = await say(id, "My colleague's handle is ada-lovelace.");
    expect(first.output).toEqual({ text: 'Noted.' });
    rig.model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.com/q' } }],
      },
      { kind: 'tool_calls', toolCalls: [{ name: 'note', arguments: { text: 'ada-lovelace' } }] },
      { text: 'Noted the handle.' },
    );
    const run = await say(id, "Read https://example.com/q, then note my colleague's handle.");
    expect(run.status).toBe('succeeded');
    expect(effects).toEqual(['note:ada-lovelace']);
    expect(await rig.decisions(run.id)).toEqual([
      'fetch_page:allow:default.allow',
      'note:allow:flow.arguments_trusted',
    ]);
  });

  it("treats another person's message as untrusted for the user's run", async () => {
    const id = await newConversation();
    expect((await rig.h.api('PATCH', `/api/conversations/${id}`, { space: 'team' })).status).toBe(200);
    rig.model.enqueue({ text: 'OK.' });
    const bobs = await say(id, 'Everyone: note the code word mallory-bob.', bob.key);
    expect(bobs.status).toBe('succeeded');
    // Bob's own run took his message as his; the owner's run does not.
    rig.model.enqueue({
      kind: 'tool_calls',
      toolCalls: [{ name: 'note', arguments: { text: 'mallory-bob' } }],
    });
    const mine = await say(id, 'Do what Bob said.');
    expect(mine.status).toBe('paused');
    expect((await approvalOf(mine.id))?.reason).toContain(
      `the text ("mallory-bob") came from the conversation's message #1 (Bob), which is untrusted`,
    );
    expect(effects).toEqual([]);
    await rig.h.api('POST', `/api/runs/${mine.id}/cancel`);
  });
});
