import { useState } from 'react';
import type { Agent, Conversation } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { navigate } from '../../router.tsx';
import { useWhoami } from '../../session.tsx';
import { ConversationList, type ListFilter, listPath } from './conversation-list.tsx';
import { ConversationView } from './conversation-view.tsx';

/**
 * Chat: the sidebar of conversations and the open one at `/chat/:id` (an address that survives a reload).
 * A conversation started here keeps its view while the address moves to it, so nothing typed is lost.
 */
export function ChatPage(props: { conversationId: string | undefined }) {
  const { userId } = useWhoami();
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const [filter, setFilter] = useState<ListFilter>({ q: '', archived: false });
  const list = useApi<{ conversations: Conversation[] }>(listPath(filter));
  const [fresh, setFresh] = useState(0);
  const [changed, setChanged] = useState<Conversation | undefined>();
  const [adopted, setAdopted] = useState<{ id: string; key: string } | undefined>();
  const id = props.conversationId;
  const key = id === undefined ? `new-${fresh}` : adopted?.id === id ? adopted.key : id;

  const onCreated = (created: string) => {
    setAdopted({ id: created, key: `new-${fresh}` });
    setFresh((n) => n + 1);
    navigate(`/chat/${encodeURIComponent(created)}`);
    list.reload();
  };
  const startNew = () => {
    setFresh((n) => n + 1);
    navigate('/chat');
  };

  return (
    <section className="page chat" aria-labelledby="chat-title">
      <h1 id="chat-title" className="sr-only">
        Chat
      </h1>
      <div className="chat-layout">
        <ConversationList
          result={list}
          filter={filter}
          onFilter={setFilter}
          currentId={id}
          me={userId}
          onNew={startNew}
          onChanged={setChanged}
        />
        <ConversationView
          key={key}
          id={id}
          agents={agents.state === 'ready' ? agents.data.agents : []}
          me={userId}
          onCreated={onCreated}
          onActivity={list.reload}
          changed={changed}
        />
      </div>
    </section>
  );
}
