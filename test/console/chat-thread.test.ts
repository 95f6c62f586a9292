import { describe, expect, it } from 'vitest';
import type { ConversationMessage } from '../../console/src/api/types.ts';
import { completeMention, mentionAtCaret, mentionedAgents } from '../../console/src/pages/chat/mentions.ts';
import { mergeMessages, threadItems } from '../../console/src/pages/chat/thread-items.ts';

const message = (fields: Partial<ConversationMessage> & Pick<ConversationMessage, 'id' | 'seq'>) => ({
  conversationId: 'c1',
  role: 'user' as const,
  author: 'u-alice',
  authorName: 'alice',
  agentVersion: null,
  content: '',
  mentions: [],
  attachments: [],
  replies: [],
  runId: null,
  status: null,
  createdAt: '2026-12-04T10:00:00.000Z',
  ...fields,
});
const planned = (runId: string, agentName: string) => ({ agentId: `a-${agentName}`, agentName, runId });

describe('the chat thread', () => {
  it("places each reply right after the message it answers, written or not, and keeps others' agent messages", () => {
    const messages = [
      message({
        id: 'm1',
        seq: 1,
        content: '@clerk @auditor hi',
        replies: [planned('r1', 'clerk'), planned('r2', 'auditor')],
      }),
      message({
        id: 'm2',
        seq: 2,
        author: 'u-bob',
        authorName: 'bob',
        content: 'me too',
        replies: [planned('r3', 'clerk')],
      }),
      message({
        id: 'm3',
        seq: 3,
        role: 'agent',
        author: 'a-clerk',
        authorName: 'clerk',
        runId: 'r1',
        content: 'hello',
      }),
      message({
        id: 'm4',
        seq: 4,
        role: 'agent',
        author: 'a-mailer',
        authorName: 'mailer',
        runId: 'r9',
        content: 'sent',
      }),
    ];
    const items = threadItems(messages).map((item) =>
      item.kind === 'reply'
        ? `${item.agentName}:${item.runId}:${item.askedBy}:${item.message?.content ?? 'pending'}`
        : `${item.kind}:${item.message.id}`,
    );
    expect(items).toEqual([
      'user:m1',
      'clerk:r1:u-alice:hello',
      'auditor:r2:u-alice:pending',
      'user:m2',
      'clerk:r3:u-bob:pending',
      'agent:m4',
    ]);
  });

  it('merges copies of a message by id, in seq order, keeping the planned replies either copy knows', () => {
    const posted = message({ id: 'm1', seq: 1, replies: [planned('r1', 'clerk')] });
    const streamed = message({ id: 'm1', seq: 1, replies: [] });
    const later = message({ id: 'm2', seq: 2 });
    const merged = mergeMessages([later, posted], [streamed]);
    expect(merged.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(merged[0]?.replies.map((r) => r.runId)).toEqual(['r1']);
  });
});

describe('@mentions in the message box', () => {
  it('finds the partial name before the caret and completes it in place', () => {
    expect(mentionAtCaret('ask @cl', 7)).toEqual({ start: 4, query: 'cl' });
    expect(mentionAtCaret('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAtCaret('mail me@cl', 10)).toBeUndefined();
    expect(mentionAtCaret('ask @clerk now', 14)).toBeUndefined();
    expect(completeMention('ask @cl please', 4, 7, 'clerk')).toEqual({
      text: 'ask @clerk please',
      caret: 11,
    });
    expect(completeMention('@au', 0, 3, 'auditor')).toEqual({ text: '@auditor ', caret: 9 });
  });

  it('names the agents mentioned, in order and once, and ignores words that name no agent', () => {
    const agents = ['clerk', 'auditor'];
    expect(mentionedAgents('@auditor and @clerk, then @auditor again; mail a@clerk', agents)).toEqual([
      'auditor',
      'clerk',
    ]);
    expect(mentionedAgents('@nobody here', agents)).toEqual([]);
  });
});
