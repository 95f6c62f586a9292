import type { Context } from 'hono';
import { attachmentsOf } from '../conversations/conversation-files.ts';
import type { Conversation } from '../conversations/conversation-record.ts';
import {
  chooseResponders,
  type PostedMessage,
  postMessage,
  settleConversation,
} from '../conversations/conversation-replies.ts';
import { getVisibleConversation } from '../conversations/conversation-repo.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { agentResource } from '../policy/cedar/cedar-entities.ts';
import { resolveAgentSkills } from '../skills/skill-resolution.ts';
import type { AppEnv } from './app-env.ts';

/** The conversation `id` as the caller sees it (a conversation they may not read does not exist for them). */
export function visibleConversation(c: Context<AppEnv>, kernel: Kernel, id: string): Promise<Conversation> {
  const { workspaceId, userId } = c.get('principal');
  return getVisibleConversation(kernel.store, { workspaceId, userId }, id);
}

/**
 * The caller posts `content` into a conversation they see: the answering agents are chosen (mentions, the
 * last agent, or the router) and checked — each must be one the caller may start, with skills they may use —
 * and its attachments must be files of this conversation, before anything is written; then the message and
 * its replies' runs are stored together.
 */
export async function postAsCaller(
  c: Context<AppEnv>,
  kernel: Kernel,
  conversationId: string,
  content: string,
  mentions: readonly string[],
  attachmentIds: readonly string[] = [],
): Promise<PostedMessage> {
  const principal = c.get('principal');
  await settleConversation(kernel, (await visibleConversation(c, kernel, conversationId)).id);
  const current = await visibleConversation(c, kernel, conversationId);
  const attachments = await attachmentsOf(kernel.store, current.id, attachmentIds);
  const { agents, routed } = await chooseResponders(
    kernel,
    current,
    principal.userId,
    content,
    [...mentions],
    c.req.raw.signal,
  );
  for (const agent of agents) {
    await c.get('authorizer').assert('runs.start', agentResource(agent));
    // Refused now (403 skill.unavailable) rather than after the message is posted.
    await resolveAgentSkills(kernel.store, agent, principal.userId);
  }
  return postMessage(kernel, current, {
    author: principal.userId,
    content,
    mentions: [...mentions],
    agents,
    routed,
    attachments,
  });
}
