import type { ConversationMessage } from '../../api/types.ts';
import { RichText } from '../../components/rich-text.tsx';
import { ReplyRun, ReplyText } from './reply-run.tsx';
import type { ThreadItem } from './thread-items.ts';
import type { LiveReply } from './use-conversation.ts';

function UserMessage(props: { message: ConversationMessage; me: string }) {
  const { message } = props;
  const who = message.author === props.me ? 'You' : message.authorName;
  return (
    <li className="exchange">
      <article className="bubble user" aria-label={`${who} wrote`}>
        <span className="message-author">{who}</span>
        <span className="message-text">{message.content}</span>
        {message.attachments.length > 0 && (
          <ul className="attachment-list" aria-label="Attached files">
            {message.attachments.map((file) => (
              <li key={file.id} className="attachment-chip">
                {file.name}
                {!file.readable && ' (could not be read)'}
              </li>
            ))}
          </ul>
        )}
      </article>
    </li>
  );
}

/**
 * The thread: people's messages and the agents' replies, each reply attributed to its agent. Replies to the
 * reader's own messages follow their runs live; others show what the conversation's stream delivers.
 */
export function MessageList(props: {
  items: readonly ThreadItem[];
  live: Readonly<Record<string, LiveReply>>;
  me: string;
}) {
  return (
    <ol className="conversation" aria-label="Thread">
      {props.items.map((item) => {
        if (item.kind === 'user')
          return <UserMessage key={item.message.id} message={item.message} me={props.me} />;
        if (item.kind === 'agent') {
          return (
            <li key={item.message.id} className="exchange">
              <article className="bubble assistant" aria-label={`Reply from ${item.message.authorName}`}>
                <header className="exchange-head">
                  <span className="reply-agent">{item.message.authorName}</span>
                </header>
                <RichText text={item.message.content} citations={[]} idPrefix={`m-${item.message.id}`} />
              </article>
            </li>
          );
        }
        const live = props.live[item.runId];
        return (
          <li key={item.runId} className="exchange">
            {item.askedBy === props.me ? (
              <ReplyRun runId={item.runId} agentName={item.agentName} written={item.message?.content} />
            ) : (
              <ReplyText
                runId={item.runId}
                agentName={item.agentName}
                text={item.message?.content ?? live?.text ?? ''}
                status={item.message?.status ?? live?.status ?? 'queued'}
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}
