import { useState } from 'react';
import { del, uploadFiles } from '../../api/client.ts';
import type { ConversationFile } from '../../api/types.ts';

/** Files uploaded to the conversation for the next message: each is parsed as it arrives, sent by id. */
export function useAttachments(ensureConversation: () => Promise<string>) {
  const [files, setFiles] = useState<ConversationFile[]>([]);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  const add = async (picked: readonly File[]) => {
    if (picked.length === 0) return;
    setUploading(true);
    setError(undefined);
    try {
      const id = await ensureConversation();
      const { attachments } = await uploadFiles<{ attachments: ConversationFile[] }>(
        `/api/conversations/${encodeURIComponent(id)}/files`,
        picked,
      );
      setFiles((known) => [...known, ...attachments]);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setUploading(false);
    }
  };

  const remove = async (file: ConversationFile) => {
    setError(undefined);
    try {
      await del(
        `/api/conversations/${encodeURIComponent(file.conversationId)}/files/${encodeURIComponent(file.id)}`,
      );
      setFiles((known) => known.filter((f) => f.id !== file.id));
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };

  return { files, uploading, error, add, remove, clear: () => setFiles([]) };
}
