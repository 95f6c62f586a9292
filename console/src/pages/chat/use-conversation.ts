import { useCallback, useEffect, useState } from 'react';
import { call, typed } from '../../api/client.ts';
import type { Conversation, ConversationMessage, ConversationReply } from '../../api/types.ts';
import { mergeMessages } from './thread-items.ts';

/** What a reply not yet written has streamed so far, from the conversation's `reply.*` events. */
export interface LiveReply {
  agentId: string;
  turn: number;
  text: string;
  status: string;
}

export interface ConversationState {
  conversation: Conversation | undefined;
  messages: ConversationMessage[];
  live: Record<string, LiveReply>;
  error: Error | undefined;
  loading: boolean;
  /** A message this page posted, with the replies the server planned for it. */
  addPosted(message: ConversationMessage, replies: readonly ConversationReply[]): void;
  setConversation(conversation: Conversation): void;
}

type Data = Record<string, unknown>;

function applyLive(live: Record<string, LiveReply>, type: string, data: Data): Record<string, LiveReply> {
  const runId = String(data.runId ?? '');
  const previous = live[runId] ?? {
    agentId: String(data.agentId ?? ''),
    turn: 0,
    text: '',
    status: 'queued',
  };
  if (type === 'reply.status') return { ...live, [runId]: { ...previous, status: String(data.status) } };
  const turn = Number(data.turn ?? 0);
  // A later turn starts the answer again.
  const text = turn === previous.turn ? previous.text + String(data.text ?? '') : String(data.text ?? '');
  return { ...live, [runId]: { ...previous, turn, text, status: 'running' } };
}

/**
 * One conversation: loaded once (`GET /api/conversations/:id`), then followed on its event stream from the
 * last message seen — new messages from anyone, and the deltas of replies being written. The browser's
 * EventSource reconnects with Last-Event-ID, so nothing is missed.
 */
export function useConversation(id: string | undefined): ConversationState {
  const [conversation, setConversation] = useState<Conversation | undefined>();
  const [messages, setMessages] = useState<ConversationMessage[]>([]);
  const [live, setLive] = useState<Record<string, LiveReply>>({});
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (id === undefined) return;
    let source: EventSource | undefined;
    let cancelled = false;
    setError(undefined);
    setLoading(true);
    call(typed.GET('/api/conversations/{id}', { params: { path: { id } } })).then(
      (loaded) => {
        if (cancelled) return;
        setLoading(false);
        setConversation(loaded.conversation);
        setMessages((known) => mergeMessages(known, loaded.messages));
        const after = `${loaded.messages.at(-1)?.seq ?? 0}:0`;
        source = new EventSource(`/api/conversations/${encodeURIComponent(id)}/events?after=${after}`);
        source.addEventListener('message', (event) => {
          const message = JSON.parse((event as MessageEvent<string>).data) as ConversationMessage;
          setMessages((known) => mergeMessages(known, [message]));
        });
        for (const type of ['reply.delta', 'reply.status']) {
          source.addEventListener(type, (event) => {
            const data = JSON.parse((event as MessageEvent<string>).data) as Data;
            setLive((current) => applyLive(current, type, data));
          });
        }
      },
      (caught: unknown) => {
        if (cancelled) return;
        setLoading(false);
        setError(caught instanceof Error ? caught : new Error(String(caught)));
      },
    );
    return () => {
      cancelled = true;
      source?.close();
    };
  }, [id]);

  const addPosted = useCallback((message: ConversationMessage, replies: readonly ConversationReply[]) => {
    const planned = replies
      .filter((reply) => !message.replies.some((known) => known.runId === reply.runId))
      .map((reply) => ({ agentId: reply.agentId, agentName: reply.agent, runId: reply.runId }));
    setMessages((known) => mergeMessages(known, [{ ...message, replies: [...message.replies, ...planned] }]));
  }, []);

  return {
    conversation: conversation?.id === id ? conversation : undefined,
    messages: messages.filter((message) => message.conversationId === id),
    live,
    error,
    loading,
    addPosted,
    setConversation,
  };
}
