import type { Lane } from './lane.ts';

export interface LaneSnapshot {
  lane: string;
  limits: { concurrency: number; rpm: number | null; tpm: number | null };
  inFlight: number;
  queued: { interactive: number; standard: number; background: number };
  backlogByWorkspace: Record<string, number>;
  pausedForMs: number;
  windowRequests: number;
  windowTokens: number;
  dispatched: number;
  rateLimited: number;
  retried: number;
  failed: number;
  avgWaitMs: number;
  maxWaitMs: number;
}

/** The lane's limits, queues and counters as seen at `now` (the scheduler's clock). */
export function snapshotLane(lane: Lane, now: number): LaneSnapshot {
  const limits = lane.effectiveLimits();
  const backlog: Record<string, number> = {};
  for (const queue of Object.values(lane.queues)) {
    for (const [workspace, n] of Object.entries(queue.backlog()))
      backlog[workspace] = (backlog[workspace] ?? 0) + n;
  }
  return {
    lane: lane.name,
    limits: { concurrency: limits.concurrency, rpm: limits.rpm ?? null, tpm: limits.tpm ?? null },
    inFlight: lane.inFlight,
    queued: {
      interactive: lane.queues.interactive.size,
      standard: lane.queues.standard.size,
      background: lane.queues.background.size,
    },
    backlogByWorkspace: backlog,
    pausedForMs: Math.max(0, lane.pausedUntil - now),
    windowRequests: lane.window.requests,
    windowTokens: lane.window.tokens,
    dispatched: lane.stats.dispatched,
    rateLimited: lane.stats.rateLimited,
    retried: lane.stats.retried,
    failed: lane.stats.failed,
    avgWaitMs: lane.stats.dispatched === 0 ? 0 : Math.round(lane.stats.waitMsTotal / lane.stats.dispatched),
    maxWaitMs: lane.stats.maxWaitMs,
  };
}
