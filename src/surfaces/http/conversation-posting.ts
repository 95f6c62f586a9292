import type { Context } from 'hono';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { Conversation } from '../../plugins/conversations/conversation-record.ts';
import type { PostedMessage } from '../../plugins/conversations/conversation-replies.ts';
import { getVisibleConversation } from '../../plugins/conversations/conversation-repo.ts';
import { postAsMember, requestPoster } from '../../plugins/conversations/member-posting.ts';
import type { AppEnv } from './app-env.ts';

/** The conversation `id` as the caller sees it (a conversation they may not read does not exist for them). */
export function visibleConversation(c: Context<AppEnv>, kernel: Kernel, id: string): Promise<Conversation> {
  const { workspaceId, userId } = c.get('principal');
  return getVisibleConversation(kernel.store, { workspaceId, userId }, id);
}

/** The caller posts `content` into a conversation they see (conversations/member-posting.ts). */
export function postAsCaller(
  c: Context<AppEnv>,
  kernel: Kernel,
  conversationId: string,
  content: string,
  mentions: readonly string[],
  attachmentIds: readonly string[] = [],
): Promise<PostedMessage> {
  return postAsMember(kernel, requestPoster(c.get('principal'), c.get('authorizer')), conversationId, {
    content,
    mentions,
    attachments: attachmentIds,
    signal: c.req.raw.signal,
  });
}
