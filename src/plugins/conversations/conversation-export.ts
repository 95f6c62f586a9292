import type { Conversation, ConversationMessage } from './conversation-record.ts';
import { withAttachmentNote } from './message-attachments.ts';

/** A conversation as a Markdown document: its title, then each message under its author and time. */
export function conversationMarkdown(
  conversation: Conversation,
  messages: readonly ConversationMessage[],
): string {
  const lines = [`# ${conversation.title === '' ? 'Untitled conversation' : conversation.title}`, ''];
  lines.push(
    `Conversation ${conversation.id}, started ${conversation.createdAt.toISOString()}` +
      (conversation.space === null ? ' (private)' : ` (shared with space ${conversation.space})`),
    '',
  );
  for (const message of messages) {
    const who =
      message.role === 'agent'
        ? `${message.authorName} (agent v${message.agentVersion ?? '?'}${message.status === 'succeeded' ? '' : `, ${message.status}`})`
        : message.authorName;
    lines.push(
      `## ${who} · ${message.createdAt.toISOString()}`,
      '',
      withAttachmentNote(message.content, message.attachments),
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The JSON export: the conversation and its messages as the API shows them, with a format version. */
export const conversationJson = (conversation: Conversation, messages: readonly ConversationMessage[]) => ({
  format: 'agentos.conversation/v1',
  exportedAt: new Date().toISOString(),
  conversation,
  messages,
});
