import { useEffect, useState } from 'react';
import { del } from '../../api/client.ts';
import type { Conversation, ConversationFile } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorMessage } from '../../components/error-message.tsx';

/**
 * Every file attached to the conversation (`GET …/files`), whether each could be read, and removal by its
 * uploader or the conversation's owner: a removed file leaves the agents' search at once.
 */
export function FilesPanel(props: { conversation: Conversation; me: string; revision: number }) {
  const files = useApi<{ attachments: ConversationFile[] }>(
    `/api/conversations/${encodeURIComponent(props.conversation.id)}/files`,
  );
  const { reload } = files;
  const [error, setError] = useState<Error | undefined>();
  // A new message may carry new files: read the list again.
  useEffect(() => {
    if (props.revision > 0) reload();
  }, [props.revision, reload]);
  if (files.state !== 'ready' || files.data.attachments.length === 0) return null;
  const list = files.data.attachments;
  const remove = async (file: ConversationFile) => {
    setError(undefined);
    try {
      await del(
        `/api/conversations/${encodeURIComponent(file.conversationId)}/files/${encodeURIComponent(file.id)}`,
      );
      files.reload();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };
  return (
    <details className="files-panel">
      <summary>Files ({list.length})</summary>
      <ul className="files-list" aria-label="Files of this conversation">
        {list.map((file) => (
          <li key={file.id}>
            {file.name}{' '}
            <span className="muted">
              {file.status === 'ok'
                ? `${file.chunks} passages`
                : `could not be read: ${file.error?.message ?? ''}`}
            </span>
            {(file.uploadedBy === props.me || props.conversation.ownerId === props.me) && (
              <button type="button" className="link" onClick={() => void remove(file)}>
                Remove <span className="sr-only">{file.name} from the conversation</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      {error !== undefined && <ErrorMessage error={error} context="The file was not removed" />}
    </details>
  );
}
