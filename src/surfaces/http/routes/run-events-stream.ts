import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import { listRunEvents } from '../../../core/kernel/run-events.ts';
import { isTerminal } from '../../../core/kernel/run-record.ts';
import { getRunById } from '../../../core/kernel/run-repo.ts';
import type { AppEnv } from '../app-env.ts';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

function startAfter(c: Context<AppEnv>): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('after') ?? '0';
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentOsError(
      'request.invalid',
      `Last-Event-ID / after must be a non-negative integer event id, not "${raw}"`,
    );
  }
  return value;
}

/**
 * Server-sent events of one run, from the event after Last-Event-ID: a client that reconnects
 * with the last id it saw misses nothing. The stream ends after the run's final event.
 */
export function streamRunEvents(c: Context<AppEnv>, kernel: Kernel, runId: string): Response {
  let lastId = startAfter(c);
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const unsubscribe = kernel.events.onRunChanged(runId, () => wake?.());
    const onStop = () => wake?.();
    kernel.events.stopping.addEventListener('abort', onStop);
    stream.onAbort(() => wake?.());
    let lastWrite = Date.now();
    try {
      while (!stream.aborted && !kernel.events.stopping.aborted) {
        const events = await listRunEvents(kernel.store, runId, lastId);
        for (const event of events) {
          await stream.writeSSE({
            id: String(event.id),
            event: event.type,
            data: JSON.stringify(event.data),
          });
          lastId = event.id;
          lastWrite = Date.now();
        }
        if (events.some((event) => event.type === 'run.finished')) return;
        if (events.length === 0) {
          const run = await getRunById(kernel.store, runId);
          if (run === undefined || isTerminal(run.status)) {
            // The run may have ended between the two reads: send what it wrote last, then close.
            for (const event of await listRunEvents(kernel.store, runId, lastId)) {
              await stream.writeSSE({
                id: String(event.id),
                event: event.type,
                data: JSON.stringify(event.data),
              });
            }
            return;
          }
          if (Date.now() - lastWrite >= KEEPALIVE_MS) {
            await stream.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, POLL_MS);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            wake = done;
          });
        }
      }
    } finally {
      unsubscribe();
      kernel.events.stopping.removeEventListener('abort', onStop);
    }
  });
}
