import { createUIMessageStream, createUIMessageStreamResponse, type UIMessageStreamWriter } from 'ai';
import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import { nextWake } from '../../../core/kernel/run-events.ts';
import { onConversationChanged } from '../../../plugins/conversations/conversation-events.ts';
import type { PlannedReply } from '../../../plugins/conversations/conversation-record.ts';
import { replyViews, settleConversation } from '../../../plugins/conversations/conversation-replies.ts';
import { plannedRepliesOf } from '../../../plugins/conversations/planned-replies.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { postAsCaller } from '../conversation-posting.ts';

/** What `useChat` (AI SDK UI) sends: the chat's messages, the newest last; we take its text parts. */
const chatBody = z.looseObject({
  id: z.string().max(200).optional(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'user', 'assistant']),
        parts: z.array(
          z.looseObject({ type: z.string().max(100), text: z.string().max(200_000).optional() }),
        ),
      }),
    )
    .min(1)
    .max(10_000),
  /** Agent names to answer, beside any `@name` in the text. */
  mentions: z.array(z.string().min(1).max(200)).max(20).optional(),
  /** Ids of files uploaded to the conversation (POST …/files) that the last message carries. */
  attachments: z.array(z.string().min(1).max(200)).max(20).optional(),
});

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'budget_exceeded', 'paused']);

/**
 * `POST /api/conversations/:id/chat`: the AI SDK UI message stream protocol (`x-vercel-ai-ui-message-stream:
 * v1`), so an app using `useChat` talks to a conversation. The last user message is posted (its author is
 * the caller, exactly as `POST …/messages`), and each reply streams as one text part, in answering order —
 * an agent handed to (hand_off) included, right after the agent that handed off.
 */
export function conversationChatRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'post',
      path: '/conversations/:id/chat',
      resource: 'conversation',
      summary: 'Post the last user message of an AI SDK chat and stream the replies (UI message stream v1)',
      tags: ['conversations'],
      action: 'conversations.write',
      body: chatBody,
      responses: { 200: { description: 'The UI message stream', contentType: 'text/event-stream' } },
    },
    async (c, { params, body }) => {
      const last = body.messages.at(-1);
      const content = (last?.parts ?? [])
        .flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : []))
        .join('')
        .trim();
      if (last?.role !== 'user' || content === '')
        throw new AgentOsError('request.invalid', 'The last message must be a user message with text');
      const posted = await postAsCaller(
        c,
        kernel,
        params.id,
        content,
        body.mentions ?? [],
        body.attachments ?? [],
      );
      const signal = c.req.raw.signal;
      const stream = createUIMessageStream({
        execute: async ({ writer }) => {
          writer.write({ type: 'start', messageMetadata: { userMessageId: posted.message.id } });
          // The list grows while it is answered: an agent that hands off adds the agent handed to after it.
          const streamed = new Set<string>();
          let replies: readonly PlannedReply[] = posted.planned;
          for (;;) {
            const next = replies.find((reply) => !streamed.has(reply.runId));
            if (next === undefined || signal.aborted) break;
            await streamReply(kernel, posted.message.conversationId, next, writer, signal);
            streamed.add(next.runId);
            replies = await plannedRepliesOf(kernel.store, posted.message.id);
          }
          writer.write({ type: 'finish' });
        },
        onError: (error) =>
          error instanceof AgentOsError ? `${error.code}: ${error.message}` : 'internal error',
      });
      return createUIMessageStreamResponse({ stream });
    },
  );
  return api;
}

/** One reply as a text part: what its run streams, then the rest of its written message. */
async function streamReply(
  kernel: Kernel,
  conversationId: string,
  reply: PlannedReply,
  writer: UIMessageStreamWriter,
  signal: AbortSignal,
): Promise<void> {
  writer.write({ type: 'start-step' });
  writer.write({ type: 'text-start', id: reply.runId });
  let sent = '';
  while (!signal.aborted) {
    await settleConversation(kernel, conversationId);
    const [view] = await replyViews(kernel, conversationId, [reply]);
    if (view === undefined) break;
    // A later turn restarts the text; what was sent stays, and the written answer finishes it.
    if (view.content.startsWith(sent) && view.content.length > sent.length) {
      writer.write({ type: 'text-delta', id: reply.runId, delta: view.content.slice(sent.length) });
      sent = view.content;
    }
    if (view.messageId !== null || ENDED.has(view.status)) {
      if (view.error !== null)
        writer.write({ type: 'error', errorText: `${view.agent}: ${view.error.message}` });
      break;
    }
    await nextWake((wake) => onConversationChanged(conversationId, wake), 50, signal);
  }
  writer.write({ type: 'text-end', id: reply.runId });
  writer.write({ type: 'finish-step' });
}
