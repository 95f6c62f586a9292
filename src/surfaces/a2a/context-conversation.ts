import { createHash } from 'node:crypto';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { getAgent } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Principal } from '../../core/identity/api-keys.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import { appendRunEvent } from '../../core/kernel/run-events.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { routeTask } from '../../core/kernel/task-router.ts';
import type { PostedMessage } from '../../plugins/conversations/conversation-replies.ts';
import { createConversation, getVisibleConversation } from '../../plugins/conversations/conversation-repo.ts';
import { postAsMember, postedByKey, requestPoster } from '../../plugins/conversations/member-posting.ts';
import type { RequestAuthorizer } from '../../plugins/policy/request-authorizer.ts';
import { resolveAgentSkills } from '../../plugins/skills/skill-resolution.ts';

export interface ContextMessage {
  text: string;
  /** The agent addressed (the endpoint's, or metadata.agent); it answers as if mentioned. */
  agent: string | undefined;
  /** The A2A context: a conversation id, or '' to start one. */
  contextId: string;
  messageId: string;
}

export interface ContextCaller {
  principal: Principal;
  authorizer: RequestAuthorizer;
  signal: AbortSignal;
}

/** The task of a post is its first reply's run (an A2A message has one task; other mentioned agents answer too). */
function firstRun(posted: PostedMessage): RunRecord {
  const first = posted.runs[0];
  if (first === undefined) throw new AgentOsError('internal', `Message ${posted.message.id} has no reply`);
  return first;
}

/** A contextId the caller may not read is refused like an unknown one, never taken as a new conversation. */
async function assertContext(kernel: Kernel, principal: Principal, contextId: string): Promise<void> {
  try {
    await getVisibleConversation(kernel.store, principal, contextId);
  } catch (error) {
    if (error instanceof AgentOsError && error.code === 'resource.not_found') {
      throw new RequestMalformedError(
        `No conversation "${contextId}" (contextId): continue one of your conversations, or send no contextId to start one`,
      );
    }
    throw error;
  }
}

/**
 * An A2A message as a post in a conversation: `contextId` is the conversation. Without one, a conversation
 * owned by the caller starts, answered by the addressed agent (or the router's choice); with one, the
 * message continues it, its earlier turns in the prompt. The task is the answering run. A client that
 * resends a message (same messageId) gets the task of the first send.
 */
export async function postToContext(
  kernel: Kernel,
  caller: ContextCaller,
  message: ContextMessage,
): Promise<RunRecord> {
  const { principal, authorizer, signal } = caller;
  const { workspaceId, userId } = principal;
  await authorizer.assert('conversations.write');
  const requestKey =
    message.messageId === ''
      ? undefined
      : `a2a-${createHash('sha256').update(`${userId}\n${message.messageId}`).digest('hex').slice(0, 40)}`;
  const again = requestKey === undefined ? undefined : await postedByKey(kernel, workspaceId, requestKey);
  if (again !== undefined) return firstRun(again);
  const poster = requestPoster(principal, authorizer);
  const post = { content: message.text, signal, requestKey };

  if (message.contextId !== '') {
    await assertContext(kernel, principal, message.contextId);
    const mentions = message.agent === undefined ? [] : [message.agent];
    return firstRun(await postAsMember(kernel, poster, message.contextId, { ...post, mentions }));
  }

  const route =
    message.agent === undefined
      ? await routeTask(kernel, workspaceId, message.text, signal, userId)
      : undefined;
  const agent = await getAgent(kernel.store, workspaceId, message.agent ?? route?.agent ?? '');
  // Checked before the conversation exists, so a refused message leaves nothing behind.
  await assertUserSeesAgent(kernel.store, agent, userId);
  await poster.mayStart(agent);
  await resolveAgentSkills(kernel.store, agent, userId);
  const conversation = await createConversation(kernel.store, { workspaceId, ownerId: userId });
  const posted = await postAsMember(kernel, poster, conversation.id, { ...post, mentions: [agent.name] });
  const run = firstRun(posted);
  if (route !== undefined) await appendRunEvent(kernel.store, run.id, 'run.routed', { ...route });
  return run;
}
