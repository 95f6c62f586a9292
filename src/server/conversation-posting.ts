import type { Context } from 'hono';
import type { Conversation } from '../conversations/conversation-record.ts';
import type { PostedMessage } from '../conversations/conversation-replies.ts';
import { getVisibleConversation } from '../conversations/conversation-repo.ts';
import { type Poster, postAsMember } from '../conversations/member-posting.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { agentResource } from '../policy/cedar/cedar-entities.ts';
import type { AppEnv } from './app-env.ts';
import type { RequestAuthorizer } from './authorize-action.ts';

/** The conversation `id` as the caller sees it (a conversation they may not read does not exist for them). */
export function visibleConversation(c: Context<AppEnv>, kernel: Kernel, id: string): Promise<Conversation> {
  const { workspaceId, userId } = c.get('principal');
  return getVisibleConversation(kernel.store, { workspaceId, userId }, id);
}

/** An authenticated caller as a poster: each answering agent must be one their policies let them start. */
export function requestPoster(
  principal: { workspaceId: string; userId: string },
  authorizer: RequestAuthorizer,
): Poster {
  return {
    workspaceId: principal.workspaceId,
    userId: principal.userId,
    mayStart: (agent) => authorizer.assert('runs.start', agentResource(agent)),
  };
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
