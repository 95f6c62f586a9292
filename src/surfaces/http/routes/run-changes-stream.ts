import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import {
  latestRunEventId,
  type RunChange,
  runChangesAfter,
  runsByIds,
} from '../../../core/kernel/run-changes.ts';
import { nextWake } from '../../../core/kernel/run-events.ts';
import { runReadersSql } from '../../../plugins/policy/run-access.ts';
import type { AppEnv } from '../app-env.ts';
import { readableRuns, runViewer } from '../run-authorization.ts';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;
/**
 * How many event ids each scan reads again behind its cursor: on PostgreSQL an event can commit after a
 * later id was already read, and the re-read catches it; runs already sent as they are are not sent again.
 */
const LOOKBACK_EVENTS = 1_000;

function startAfter(c: Context<AppEnv>): number | undefined {
  const raw = c.req.header('last-event-id') ?? c.req.query('after');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new AgentOsError(
      'request.invalid',
      `Last-Event-ID / after must be a non-negative integer event id, not "${raw}"`,
    );
  }
  return value;
}

/**
 * Server-sent `run` events, each a run the caller may read as it is after it was queued, started, paused,
 * resumed, committed a step or ended. The stream starts at the present (or after Last-Event-ID) and stays
 * open until the client leaves or the server stops; nothing is said about runs the caller may not read.
 */
export function streamRunChanges(c: Context<AppEnv>, kernel: Kernel): Response {
  const after = startAfter(c);
  return streamSSE(c, async (stream) => {
    const stop = new AbortController();
    const onStop = () => stop.abort();
    kernel.events.stopping.addEventListener('abort', onStop);
    stream.onAbort(onStop);
    const sent = new Map<string, { signature: string; eventId: number }>();
    // Changes up to here are the caller's already: the list they read, or the events before Last-Event-ID.
    const floor = after ?? (await latestRunEventId(kernel.store));
    let cursor = floor;
    let lastWrite = Date.now();
    try {
      while (!stop.signal.aborted) {
        const from = Math.max(0, cursor - LOOKBACK_EVENTS);
        const scan = await runChangesAfter(kernel.store, runReadersSql(await runViewer(c), 'r', 1), from);
        const fresh = new Map<string, RunChange>();
        for (const change of scan.changes) {
          if (change.eventId <= floor) continue;
          const seen = sent.get(change.runId);
          if (seen?.signature === change.signature) seen.eventId = change.eventId;
          else fresh.set(change.runId, change);
        }
        // Only what is to be sent is read whole and put to Cedar (the SQL rule already held for every row).
        const runs = await readableRuns(c, kernel.store, await runsByIds(kernel.store, [...fresh.keys()]));
        const byId = new Map(runs.map((run) => [run.id, run]));
        for (const change of fresh.values()) {
          const run = byId.get(change.runId);
          if (run === undefined) continue;
          sent.set(run.id, { signature: change.signature, eventId: change.eventId });
          await stream.writeSSE({ id: String(change.eventId), event: 'run', data: JSON.stringify(run) });
          lastWrite = Date.now();
        }
        cursor = scan.latestEventId;
        for (const [runId, seen] of sent) if (seen.eventId <= from) sent.delete(runId);
        if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          await stream.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await nextWake(
          (wake) => {
            const offs = [kernel.events.onWorkQueued(wake), kernel.events.onAnyRunSettled(wake)];
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
