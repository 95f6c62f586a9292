import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Principal } from '../../../core/identity/api-keys.ts';
import { getVisibleSpace } from '../../../core/identity/space-repo.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import { getRunById } from '../../../core/kernel/run-repo.ts';
import {
  conversationJson,
  conversationMarkdown,
} from '../../../plugins/conversations/conversation-export.ts';
import type { Conversation } from '../../../plugins/conversations/conversation-record.ts';
import { replyViews, settleConversation } from '../../../plugins/conversations/conversation-replies.ts';
import {
  createConversation,
  deleteConversation,
  getVisibleConversation,
  listMessages,
  listVisibleConversations,
  updateConversation,
} from '../../../plugins/conversations/conversation-repo.ts';
import { awaitReplies } from '../../../plugins/conversations/member-posting.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { postAsCaller } from '../conversation-posting.ts';
import { streamConversationEvents } from './conversation-events-stream.ts';
import {
  conversationBody,
  conversationSchema,
  conversationWithMessages,
  postedMessageBody,
} from './conversation-schemas.ts';

const tags = ['conversations'];
const idParams = z.object({ id: z.string().min(1).max(200) });
const title = z.string().trim().min(1).max(200);
const space = z.string().min(1).max(200).nullable();

const createBody = z.strictObject({ title: title.optional(), space: space.optional() });
const patchBody = z.strictObject({
  title: title.optional(),
  space: space.optional(),
  archived: z.boolean().optional(),
});
const listQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).optional(),
  archived: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const messageBody = z.strictObject({
  content: z.string().trim().min(1).max(200_000),
  mentions: z.array(z.string().min(1).max(200)).max(20).optional(),
  attachments: z.array(z.string().min(1).max(200)).max(20).optional().meta({
    description: 'Ids of files uploaded to this conversation (POST …/files) that the message carries',
  }),
  /** Answer once every reply is finished (or paused), up to waitTimeoutMs. */
  wait: z.boolean().default(false),
  waitTimeoutMs: z.number().int().min(1).max(600_000).default(120_000),
});
const exportQuery = z.strictObject({ format: z.enum(['md', 'json']).default('md') });

async function spaceIdFor(kernel: Kernel, principal: Principal, value: string | null | undefined) {
  if (value === undefined || value === null) return value;
  // Shared only with a space the caller sees; another one does not exist for them.
  return (await getVisibleSpace(kernel.store, principal, value)).id;
}

function assertOwner(conversation: Conversation, principal: Principal, what: string): void {
  if (conversation.ownerId !== principal.userId)
    throw new AgentOsError('auth.forbidden', `Only the conversation's owner may ${what}`);
}

/**
 * Conversations: threads where people and agents talk, the short-term memory of the runs answering in them.
 * Readable and postable by their owner, and by whoever sees the space one is shared with.
 */
export function conversationRoutes({ kernel, log }: Pick<RouteDeps, 'kernel' | 'log'>): Hono<AppEnv> {
  // Replies are written as soon as their run ends in this process; readers settle what other processes ran.
  const unsubscribe = kernel.events.onAnyRunSettled((runId) => {
    void getRunById(kernel.store, runId)
      .then((run) => (run?.conversationId == null ? false : settleConversation(kernel, run.conversationId)))
      .catch((error: unknown) => log(`conversations: settling after ${runId}: ${String(error)}`));
  });
  kernel.events.stopping.addEventListener('abort', unsubscribe, { once: true });

  const api = new Hono<AppEnv>();
  const visible = (principal: Principal, id: string) =>
    getVisibleConversation(
      kernel.store,
      { workspaceId: principal.workspaceId, userId: principal.userId },
      id,
    );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/conversations',
      resource: 'conversation',
      summary: 'Start a conversation (private unless `space` shares it)',
      tags,
      action: 'conversations.write',
      body: createBody,
      responses: { 201: { description: 'The conversation', schema: conversationBody } },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const conversation = await createConversation(kernel.store, {
        workspaceId: principal.workspaceId,
        ownerId: principal.userId,
        title: body.title,
        spaceId: await spaceIdFor(kernel, principal, body.space),
      });
      return c.json({ conversation }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/conversations',
      resource: 'conversation',
      summary: "The caller's conversations and those shared with them, most recently active first",
      description: '`q` searches titles and message contents.',
      tags,
      action: 'conversations.read',
      query: listQuery,
      responses: {
        200: {
          description: 'The conversations',
          schema: z.object({ conversations: z.array(conversationSchema) }),
        },
      },
    },
    async (c, { query }) => {
      const principal = c.get('principal');
      const conversations = await listVisibleConversations(kernel.store, principal, query);
      return c.json({ conversations });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/conversations/:id',
      resource: 'conversation',
      summary: 'A conversation and its messages, in order',
      tags,
      action: 'conversations.read',
      params: idParams,
      responses: { 200: { description: 'The conversation', schema: conversationWithMessages } },
    },
    async (c, { params }) => {
      const conversation = await visible(c.get('principal'), params.id);
      await settleConversation(kernel, conversation.id);
      return c.json({ conversation, messages: await listMessages(kernel.store, conversation.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/conversations/:id',
      resource: 'conversation',
      summary: 'Rename, archive, or share a conversation with a space (`space: null` makes it private)',
      tags,
      action: 'conversations.write',
      params: idParams,
      body: patchBody,
      responses: { 200: { description: 'The conversation', schema: conversationBody } },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const conversation = await visible(principal, params.id);
      assertOwner(conversation, principal, 'change it');
      const updated = await updateConversation(kernel.store, conversation.id, {
        title: body.title,
        spaceId: await spaceIdFor(kernel, principal, body.space),
        archived: body.archived,
      });
      return c.json({ conversation: updated });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/conversations/:id',
      resource: 'conversation',
      summary: 'Delete a conversation (it disappears for everyone; its runs keep their journals)',
      tags,
      action: 'conversations.write',
      params: idParams,
      responses: { 200: { description: 'The deleted conversation', schema: looseObject } },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      const conversation = await visible(principal, params.id);
      assertOwner(conversation, principal, 'delete it');
      await deleteConversation(kernel.store, conversation.id);
      return c.json({ deleted: true, id: conversation.id });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/conversations/:id/messages',
      resource: 'conversation',
      summary: 'Post a message; the mentioned agents (or the last one, or the router) answer in order',
      description:
        'Each reply is a run acting for the author. With `wait`, answers when every reply is written (or paused); ' +
        'otherwise at once, with the replies queued — follow them on `/events`.',
      tags,
      action: 'conversations.write',
      params: idParams,
      body: messageBody,
      responses: { 200: { description: 'The message and its replies', schema: postedMessageBody } },
    },
    async (c, { params, body }) => {
      const posted = await postAsCaller(
        c,
        kernel,
        params.id,
        body.content,
        body.mentions ?? [],
        body.attachments ?? [],
      );
      const { conversationId, id: messageId } = posted.message;
      const replies = body.wait
        ? await awaitReplies(kernel, conversationId, messageId, {
            timeoutMs: body.waitTimeoutMs,
            signal: c.req.raw.signal,
          })
        : await replyViews(kernel, conversationId, posted.planned);
      return c.json({ message: posted.message, replies });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/conversations/:id/events',
      resource: 'conversation',
      summary: 'Server-sent events of a conversation: new messages and reply deltas',
      description: 'Reconnect with `Last-Event-ID` (or `?after=`) set to the last id seen to miss nothing.',
      tags,
      action: 'conversations.read',
      params: idParams,
      responses: { 200: { description: 'The event stream', contentType: 'text/event-stream' } },
    },
    async (c, { params }) => {
      const conversation = await visible(c.get('principal'), params.id);
      return streamConversationEvents(c, kernel, conversation.id);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/conversations/:id/export',
      resource: 'conversation',
      summary: 'Export a conversation as Markdown or JSON',
      tags,
      action: 'conversations.read',
      params: idParams,
      query: exportQuery,
      responses: {
        200: {
          description: 'The conversation as Markdown (`format=md`) or JSON (`format=json`)',
          schema: looseObject,
        },
      },
    },
    async (c, { params, query }) => {
      const conversation = await visible(c.get('principal'), params.id);
      await settleConversation(kernel, conversation.id);
      const messages = await listMessages(kernel.store, conversation.id);
      const name = `conversation-${conversation.id}.${query.format}`;
      c.header('content-disposition', `attachment; filename="${name}"`);
      if (query.format === 'json') return c.json(conversationJson(conversation, messages));
      c.header('content-type', 'text/markdown; charset=utf-8');
      return c.body(conversationMarkdown(conversation, messages));
    },
  );
  return api;
}
