import type { AgentRecord } from '../../core/agents/agent-repo.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import { nextWake } from '../../core/kernel/run-events.ts';
import { getRunById } from '../../core/kernel/run-repo.ts';
import { agentResource } from '../policy/cedar/cedar-entities.ts';
import type { RequestAuthorizer } from '../policy/request-authorizer.ts';
import { resolveAgentSkills } from '../skills/skill-resolution.ts';
import { attachmentsOf } from './conversation-files.ts';
import {
  chooseResponders,
  type PostedMessage,
  postMessage,
  type ReplyView,
  replyViews,
  settleConversation,
} from './conversation-replies.ts';
import { getMessage, getVisibleConversation } from './conversation-repo.ts';

/**
 * A member posting into a conversation, whichever surface they came through (HTTP, A2A, MCP): whom they act
 * as, and their gate for starting an agent (the request's Cedar check; the local operator's process has none).
 */
export interface Poster {
  workspaceId: string;
  userId: string;
  mayStart(agent: AgentRecord): Promise<void>;
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

export interface Post {
  content: string;
  mentions: readonly string[];
  /** Ids of files of this conversation the message carries. */
  attachments?: readonly string[] | undefined;
  signal: AbortSignal;
  /** The client's key for this post: a retry with it finds the runs of the first (see postedByKey). */
  requestKey?: string | undefined;
}

/**
 * Posts `content` into a conversation the poster sees: the answering agents are chosen (mentions, the last
 * agent, or the router) and checked — each must be one the poster may start, with skills they may use —
 * and its attachments must be files of this conversation, before anything is written; then the message and its replies' runs are stored together.
 */
export async function postAsMember(
  kernel: Kernel,
  poster: Poster,
  conversationId: string,
  post: Post,
): Promise<PostedMessage> {
  const viewer = { workspaceId: poster.workspaceId, userId: poster.userId };
  await settleConversation(kernel, (await getVisibleConversation(kernel.store, viewer, conversationId)).id);
  const current = await getVisibleConversation(kernel.store, viewer, conversationId);
  const attachments = await attachmentsOf(kernel.store, current.id, post.attachments ?? []);
  const { agents, routed } = await chooseResponders(
    kernel,
    current,
    poster.userId,
    post.content,
    [...post.mentions],
    post.signal,
  );
  for (const agent of agents) {
    await poster.mayStart(agent);
    // Refused now (403 skill.unavailable) rather than after the message is posted.
    await resolveAgentSkills(kernel.store, agent, poster.userId);
  }
  return postMessage(kernel, current, {
    author: poster.userId,
    content: post.content,
    mentions: [...post.mentions],
    agents,
    routed,
    attachments,
    requestKey: post.requestKey,
  });
}

/** The post a client's key already made (its first reply's run carries `<key>:0`), if any. */
export async function postedByKey(
  kernel: Kernel,
  workspaceId: string,
  requestKey: string,
): Promise<PostedMessage | undefined> {
  const { rows } = await kernel.store.query<{ conversation_id: string; seq: number }>(
    `SELECT conversation_id, (input->'conversation'->>'seq')::int AS seq FROM runs
     WHERE workspace_id = $1 AND idempotency_key = $2 AND conversation_id IS NOT NULL`,
    [workspaceId, `${requestKey}:0`],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const found = await kernel.store.query<{ id: string }>(
    `SELECT id FROM conversation_messages WHERE conversation_id = $1 AND seq = $2 AND role = 'user'`,
    [row.conversation_id, row.seq],
  );
  if (found.rows[0] === undefined) return undefined;
  const message = await getMessage(kernel.store, found.rows[0].id);
  const runs = await Promise.all(message.replies.map((reply) => getRunById(kernel.store, reply.runId)));
  return { message, planned: message.replies, runs: runs.filter((run) => run !== undefined) };
}

const settled = (reply: ReplyView) => reply.messageId !== null || reply.status === 'paused';

/**
 * Waits until every reply to the person's message is written (or paused), up to `timeoutMs`, writing the
 * replies of ended runs as it goes. The replies are re-read each time: an agent that hands off adds one.
 */
export async function awaitReplies(
  kernel: Kernel,
  conversationId: string,
  messageId: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ReplyView[]> {
  const deadline = Date.now() + options.timeoutMs;
  const current = async () => {
    await settleConversation(kernel, conversationId);
    return replyViews(kernel, conversationId, (await getMessage(kernel.store, messageId)).replies);
  };
  let replies = await current();
  while (!replies.every(settled) && Date.now() < deadline && !options.signal.aborted) {
    const pending = replies.filter((reply) => !settled(reply)).map((reply) => reply.runId);
    await nextWake(
      (wake) => {
        const offs = pending.map((runId) => kernel.events.onRunSettled(runId, wake));
        return () => {
          for (const off of offs) off();
        };
      },
      Math.min(250, Math.max(1, deadline - Date.now())),
      options.signal,
    );
    replies = await current();
  }
  return replies;
}
