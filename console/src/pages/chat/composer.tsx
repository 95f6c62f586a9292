import { type DragEvent, type FormEvent, useId, useState } from 'react';
import type { Agent } from '../../api/types.ts';
import { ErrorMessage } from '../../components/error-message.tsx';
import { MentionInput } from './mention-input.tsx';
import { mentionedAgents } from './mentions.ts';
import { useAttachments } from './use-attachments.ts';

/**
 * Writes the next message: its text (with `@agent` autocomplete) and the files it carries, picked with the
 * file input or dropped on the box. The first message or file of a new conversation starts it.
 */
export function Composer(props: {
  agents: readonly Agent[];
  ensureConversation: () => Promise<string>;
  onSend: (content: string, mentions: string[], attachments: string[]) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const attachments = useAttachments(props.ensureConversation);
  const messageId = useId();
  const fileId = useId();

  const send = async () => {
    if (text.trim() === '' || sending || attachments.uploading) return;
    setSending(true);
    setError(undefined);
    try {
      const names = props.agents.map((agent) => agent.name);
      await props.onSend(
        text,
        mentionedAgents(text, names),
        attachments.files.map((file) => file.id),
      );
      setText('');
      attachments.clear();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setSending(false);
    }
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDragging(false);
    void attachments.add([...event.dataTransfer.files]);
  };

  return (
    <form
      className={dragging ? 'composer dragging' : 'composer'}
      aria-label="Composer"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="field grow">
        <label htmlFor={messageId}>Message</label>
        <MentionInput
          id={messageId}
          value={text}
          agents={props.agents}
          onChange={setText}
          onSubmit={() => void send()}
        />
      </div>
      <div className="field">
        <label htmlFor={fileId}>Attach files</label>
        <input
          id={fileId}
          type="file"
          multiple
          accept=".pdf,.docx,.md,.markdown,.txt,.csv,.html,.htm"
          onChange={(event) => {
            const picked = [...(event.target.files ?? [])];
            event.target.value = '';
            void attachments.add(picked);
          }}
        />
        <span className="muted drop-hint">or drop files here</span>
      </div>
      <button type="submit" disabled={sending || attachments.uploading || text.trim() === ''}>
        {sending ? 'Sending…' : 'Send'}
      </button>
      {(attachments.files.length > 0 || attachments.uploading) && (
        <ul className="attachment-list pending" aria-label="Files to send">
          {attachments.files.map((file) => (
            <li key={file.id} className="attachment-chip">
              {file.name}
              {file.status === 'failed' && ` (could not be read: ${file.error?.message ?? 'unknown error'})`}
              <button type="button" className="link" onClick={() => void attachments.remove(file)}>
                Remove <span className="sr-only">{file.name}</span>
              </button>
            </li>
          ))}
          {attachments.uploading && (
            <li className="loading" role="status">
              Uploading…
            </li>
          )}
        </ul>
      )}
      {attachments.error !== undefined && (
        <ErrorMessage error={attachments.error} context="The files were not attached" />
      )}
      {error !== undefined && <ErrorMessage error={error} context="The message was not sent" />}
    </form>
  );
}
