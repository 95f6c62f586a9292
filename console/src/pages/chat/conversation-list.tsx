import { type FormEvent, useId, useState } from 'react';
import { call, typed, withQuery } from '../../api/client.ts';
import type { Conversation } from '../../api/types.ts';
import type { Loadable } from '../../api/use-api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { ErrorMessage } from '../../components/error-message.tsx';
import { Link } from '../../router.tsx';

/** The sidebar's query: what the search box holds and whether archived conversations are listed. */
export interface ListFilter {
  q: string;
  archived: boolean;
}

/** `GET /api/conversations` for a filter: active ones by default, the archived ones when asked. */
export const listPath = (filter: ListFilter): string =>
  withQuery('/api/conversations', { q: filter.q.trim(), archived: filter.archived ? 'true' : 'false' });

function ConversationItem(props: {
  conversation: Conversation;
  current: boolean;
  owner: boolean;
  onChanged: (conversation: Conversation) => void;
}) {
  const { conversation } = props;
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const [error, setError] = useState<Error | undefined>();
  const titleId = useId();
  const label = conversation.title === '' ? 'Untitled' : conversation.title;
  const change = async (body: { title?: string; archived?: boolean }) => {
    setError(undefined);
    try {
      const { conversation: changed } = await call(
        typed.PATCH('/api/conversations/{id}', { params: { path: { id: conversation.id } }, body }),
      );
      setRenaming(false);
      props.onChanged(changed);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };
  return (
    <li className={props.current ? 'conversation-item current' : 'conversation-item'}>
      {renaming ? (
        <form
          className="inline-forms"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void change({ title });
          }}
        >
          <label htmlFor={titleId}>New title</label>
          <input
            id={titleId}
            value={title}
            required
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
          />
          <button type="submit">Save title</button>
          <button type="button" className="secondary" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <Link to={`/chat/${encodeURIComponent(conversation.id)}`} current={props.current}>
          {label}
        </Link>
      )}
      {conversation.space !== null && <span className="badge">{conversation.space}</span>}
      {props.owner && !renaming && (
        <span className="item-actions">
          <button
            type="button"
            className="link"
            onClick={() => {
              setTitle(conversation.title);
              setRenaming(true);
            }}
          >
            Rename <span className="sr-only">{label}</span>
          </button>
          <button
            type="button"
            className="link"
            onClick={() => void change({ archived: !conversation.archived })}
          >
            {conversation.archived ? 'Unarchive' : 'Archive'} <span className="sr-only">{label}</span>
          </button>
        </span>
      )}
      {error !== undefined && <ErrorMessage error={error} context="Not changed" />}
    </li>
  );
}

/** The user's conversations and those shared with them, newest activity first, with search and archive. */
export function ConversationList(props: {
  result: Loadable<{ conversations: Conversation[] }> & { reload: () => void };
  filter: ListFilter;
  onFilter: (filter: ListFilter) => void;
  currentId: string | undefined;
  me: string;
  onNew: () => void;
  /** A conversation renamed or archived here, for the open view to show. */
  onChanged: (conversation: Conversation) => void;
}) {
  const searchId = useId();
  const archivedId = useId();
  return (
    <nav className="conversation-sidebar" aria-label="Conversations">
      <button type="button" onClick={props.onNew}>
        New conversation
      </button>
      <div className="field">
        <label htmlFor={searchId}>Search conversations</label>
        <input
          id={searchId}
          type="search"
          value={props.filter.q}
          onChange={(event) => props.onFilter({ ...props.filter, q: event.target.value })}
        />
      </div>
      <label className="checkbox" htmlFor={archivedId}>
        <input
          id={archivedId}
          type="checkbox"
          checked={props.filter.archived}
          onChange={(event) => props.onFilter({ ...props.filter, archived: event.target.checked })}
        />{' '}
        Show archived
      </label>
      <AsyncView result={props.result} label="conversations" onRetry={props.result.reload}>
        {({ conversations }) =>
          conversations.length === 0 ? (
            <p className="muted">
              {props.filter.q.trim() === '' ? 'No conversations yet.' : 'Nothing found.'}
            </p>
          ) : (
            <ul className="conversation-items" aria-label="Your conversations">
              {conversations.map((conversation) => (
                <ConversationItem
                  key={conversation.id}
                  conversation={conversation}
                  current={conversation.id === props.currentId}
                  owner={conversation.ownerId === props.me}
                  onChanged={(changed) => {
                    props.result.reload();
                    props.onChanged(changed);
                  }}
                />
              ))}
            </ul>
          )
        }
      </AsyncView>
    </nav>
  );
}
