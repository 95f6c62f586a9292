/**
 * The files a person's message carries, as recorded on the message: enough to name them to the agents that
 * answer ("attached: report.pdf") and to find them in the conversation's files, which hold their content.
 */
export interface MessageAttachment {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  /** False when the file could not be parsed: agents are told it could not be read. */
  readable: boolean;
}

const isAttachment = (value: unknown): value is MessageAttachment =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { name?: unknown }).name === 'string' &&
  typeof (value as { readable?: unknown }).readable === 'boolean';

/**
 * The message's text as an agent reads it: the content, then one line naming its attachments. Runs see the
 * same line in their task and in later turns' history, so an agent knows what `search_knowledge` can find.
 */
export function withAttachmentNote(content: string, attachments: readonly unknown[]): string {
  const names = attachments
    .filter(isAttachment)
    .map((file) => (file.readable ? file.name : `${file.name} (could not be read)`));
  return names.length === 0 ? content : `${content}\n\n[attached: ${names.join(', ')}]`;
}
