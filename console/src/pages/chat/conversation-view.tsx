import { useEffect, useRef } from 'react';
import { call, typed } from '../../api/client.ts';
import type { Agent, Conversation } from '../../api/types.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { Link, navigate } from '../../router.tsx';
import { Composer } from './composer.tsx';
import { ConversationHeader } from './conversation-header.tsx';
import { FilesPanel } from './files-panel.tsx';
import { MessageList } from './message-list.tsx';
import { threadItems } from './thread-items.ts';
import { useConversation } from './use-conversation.ts';

/**
 * One conversation, or a new one (no id yet): its thread and the composer. The first message or file
 * starts the conversation on the server, and the page moves to its address.
 */
export function ConversationView(props: {
  id: string | undefined;
  agents: readonly Agent[];
  me: string;
  onCreated: (id: string) => void;
  onActivity: () => void;
  /** The conversation as changed elsewhere on the page (renamed or archived in the sidebar). */
  changed: Conversation | undefined;
}) {
  const state = useConversation(props.id);
  const { setConversation } = state;
  useEffect(() => {
    if (props.changed !== undefined && props.changed.id === props.id) setConversation(props.changed);
  }, [props.changed, props.id, setConversation]);
  const created = useRef<Promise<string> | undefined>(undefined);

  const ensureConversation = (): Promise<string> => {
    if (props.id !== undefined) return Promise.resolve(props.id);
    created.current ??= call(typed.POST('/api/conversations', { body: {} })).then(
      ({ conversation }) => {
        props.onCreated(conversation.id);
        return conversation.id;
      },
      (error: unknown) => {
        // Not started: the next message or file tries again.
        created.current = undefined;
        throw error;
      },
    );
    return created.current;
  };

  const send = async (content: string, mentions: string[], attachments: string[]) => {
    const id = await ensureConversation();
    const posted = await call(
      typed.POST('/api/conversations/{id}/messages', {
        params: { path: { id } },
        body: {
          content,
          wait: false,
          ...(mentions.length > 0 ? { mentions } : {}),
          ...(attachments.length > 0 ? { attachments } : {}),
        },
      }),
    );
    state.addPosted(posted.message, posted.replies);
    // The first message names the conversation: show its title here and in the list.
    const { conversation } = await call(typed.GET('/api/conversations/{id}', { params: { path: { id } } }));
    state.setConversation(conversation);
    props.onActivity();
  };

  return (
    <section className="conversation-panel" aria-labelledby="conversation-title">
      {state.conversation === undefined ? (
        <header className="conversation-head">
          <h2 id="conversation-title">{props.id === undefined ? 'New conversation' : 'Conversation'}</h2>
          {props.id === undefined && (
            <p className="muted">
              Write to start. Mention agents with @name; without one, the last agent answers (or the router
              picks).
            </p>
          )}
        </header>
      ) : (
        <ConversationHeader
          conversation={state.conversation}
          me={props.me}
          onChanged={(conversation) => {
            state.setConversation(conversation);
            props.onActivity();
          }}
          onDeleted={() => {
            props.onActivity();
            navigate('/chat');
          }}
        />
      )}
      {state.conversation !== undefined && (
        <FilesPanel conversation={state.conversation} me={props.me} revision={state.messages.length} />
      )}
      {state.loading && state.messages.length === 0 && (
        <p className="loading" role="status">
          Loading the conversation…
        </p>
      )}
      {state.error !== undefined && (
        <ErrorMessage error={state.error} context="Could not open the conversation" />
      )}
      {props.agents.length === 0 && (
        <p>
          No agents yet. <Link to="/agents/new">Create one</Link> first.
        </p>
      )}
      <MessageList items={threadItems(state.messages)} live={state.live} me={props.me} />
      <Composer agents={props.agents} ensureConversation={ensureConversation} onSend={send} />
    </section>
  );
}
