import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import { nextWake } from '../../../core/kernel/run-events.ts';
import {
  conversationEventsAfter,
  formatCursor,
  onConversationChanged,
  parseCursor,
} from '../../../plugins/conversations/conversation-events.ts';
import { settleConversation } from '../../../plugins/conversations/conversation-replies.ts';
import type { AppEnv } from '../app-env.ts';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events of one conversation: `message` (each new message, in seq order), `reply.delta` (text a
 * reply streams) and `reply.status`. Each id is a cursor; reconnecting with it as Last-Event-ID misses nothing.
 * The stream stays open until the client leaves or the server stops.
 */
export function streamConversationEvents(
  c: Context<AppEnv>,
  kernel: Kernel,
  conversationId: string,
): Response {
  let cursor = parseCursor(c.req.header('last-event-id') ?? c.req.query('after'));
  return streamSSE(c, async (stream) => {
    const stop = new AbortController();
    const onStop = () => stop.abort();
    kernel.events.stopping.addEventListener('abort', onStop);
    stream.onAbort(onStop);
    let lastWrite = Date.now();
    try {
      while (!stop.signal.aborted) {
        await settleConversation(kernel, conversationId);
        const { events, pendingRunIds } = await conversationEventsAfter(kernel.store, conversationId, cursor);
        for (const event of events) {
          await stream.writeSSE({
            id: formatCursor(event.cursor),
            event: event.type,
            data: JSON.stringify(event.data),
          });
          cursor = event.cursor;
          lastWrite = Date.now();
        }
        if (events.length > 0) continue;
        if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          await stream.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await nextWake(
          (wake) => {
            const offs = [
              onConversationChanged(conversationId, wake),
              ...pendingRunIds.map((runId) => kernel.events.onRunChanged(runId, wake)),
            ];
            return () => {
              for (const off of offs) off();
            };
          },
          POLL_MS,
          stop.signal,
        );
      }
    } finally {
      kernel.events.stopping.removeEventListener('abort', onStop);
    }
  });
}
