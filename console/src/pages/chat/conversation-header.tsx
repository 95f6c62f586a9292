import { useId, useState } from 'react';
import { call, typed } from '../../api/client.ts';
import type { Conversation, Space } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorMessage } from '../../components/error-message.tsx';

/** Shares the conversation with a space the owner sees (its members read and post), or makes it private. */
function ShareControl(props: { conversation: Conversation; onChanged: (c: Conversation) => void }) {
  const spaces = useApi<{ spaces: Space[] }>('/api/spaces');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const selectId = useId();
  const list = spaces.state === 'ready' ? spaces.data.spaces : [];
  const share = async (space: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const { conversation } = await call(
        typed.PATCH('/api/conversations/{id}', {
          params: { path: { id: props.conversation.id } },
          body: { space: space === '' ? null : space },
        }),
      );
      props.onChanged(conversation);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="share-control">
      <label htmlFor={selectId}>Share with space</label>
      <select
        id={selectId}
        value={props.conversation.spaceId ?? ''}
        disabled={busy || spaces.state !== 'ready'}
        onChange={(event) => void share(event.target.value)}
      >
        <option value="">Private (only you)</option>
        {list.map((space) => (
          <option key={space.id} value={space.id}>
            {space.name}
          </option>
        ))}
      </select>
      {error !== undefined && <ErrorMessage error={error} context="Sharing did not change" />}
    </div>
  );
}

/** Deletes the conversation for everyone, after a second click confirms it (its runs keep their journals). */
function DeleteControl(props: { conversation: Conversation; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const remove = async () => {
    setError(undefined);
    try {
      await call(
        typed.DELETE('/api/conversations/{id}', { params: { path: { id: props.conversation.id } } }),
      );
      props.onDeleted();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };
  return (
    <div className="delete-control">
      {confirming ? (
        <>
          <span role="alert">Delete it for everyone who sees it?</span>{' '}
          <button type="button" className="danger" onClick={() => void remove()}>
            Yes, delete
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Delete conversation
        </button>
      )}
      {error !== undefined && <ErrorMessage error={error} context="Not deleted" />}
    </div>
  );
}

/** The open conversation's title, who it is shared with, its export, and (for its owner) sharing and deleting. */
export function ConversationHeader(props: {
  conversation: Conversation;
  me: string;
  onChanged: (c: Conversation) => void;
  onDeleted: () => void;
}) {
  const { conversation } = props;
  const owner = conversation.ownerId === props.me;
  const exportPath = `/api/conversations/${encodeURIComponent(conversation.id)}/export?format=md`;
  return (
    <header className="conversation-head">
      <h2 id="conversation-title">{conversation.title === '' ? 'New conversation' : conversation.title}</h2>
      <p className="muted" role="status">
        {conversation.space === null
          ? 'Private'
          : `Shared with ${conversation.space}${owner ? '' : ' (you are a member)'}`}
        {conversation.archived && ' · archived'}
      </p>
      {owner && <ShareControl conversation={conversation} onChanged={props.onChanged} />}
      <a href={exportPath} download>
        Export as Markdown
      </a>
      {owner && <DeleteControl conversation={conversation} onDeleted={props.onDeleted} />}
    </header>
  );
}
