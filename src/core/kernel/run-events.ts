import { EventEmitter } from 'node:events';
import { jsonParam, type SqlClient } from '../store/sql-client.ts';

/** The kernel's own event kinds; a plugin's (`memory.extracted`, `checks.judged`) are declared by it. */
export const KERNEL_EVENT_TYPES = [
  'run.queued',
  'run.started',
  'model.delta',
  'model.retry',
  'model.completed',
  'tool.started',
  'tool.finished',
  'step.committed',
  'run.paused',
  'run.resumed',
  'run.cancel_requested',
  'run.finished',
  'policy.decision',
  'run.routed',
  'context.compacted',
] as const;
export type KernelEventType = (typeof KERNEL_EVENT_TYPES)[number];
/** A plugin's event kind: `<plugin area>.<what happened>`, declared in its `eventKinds`. */
export type PluginEventType = `${string}.${string}`;
/** What a run event row may hold: a kernel kind, or a kind a plugin declared (checked when written). */
export type RunEventType = KernelEventType | PluginEventType;

export interface RunEvent {
  id: number;
  runId: string;
  type: RunEventType;
  data: Record<string, unknown>;
  createdAt: Date;
}

export async function appendRunEvent(
  db: SqlClient,
  runId: string,
  type: RunEventType,
  data: Record<string, unknown>,
): Promise<void> {
  await db.query('INSERT INTO run_events (run_id, type, data) VALUES ($1, $2, $3::jsonb)', [
    runId,
    type,
    jsonParam(data),
  ]);
}

export async function listRunEvents(
  db: SqlClient,
  runId: string,
  afterId: number,
  limit = 500,
): Promise<RunEvent[]> {
  const { rows } = await db.query<{
    id: number;
    run_id: string;
    type: RunEventType;
    data: Record<string, unknown>;
    created_at: Date;
  }>(
    'SELECT id, run_id, type, data, created_at FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [runId, afterId, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    runId: row.run_id,
    type: row.type,
    data: row.data,
    createdAt: row.created_at,
  }));
}

/**
 * The subscribe-only side of the kernel's in-process wake-ups, what code outside the kernel may hold
 * (`kernel.events`): it can listen, never emit. Emitting belongs to the writes that change the state
 * (RunControl, PlanNotices), so a store write and its wake-up cannot drift apart.
 */
export interface KernelEvents {
  /** Aborted when the process begins a graceful stop: long-lived readers end. */
  readonly stopping: AbortSignal;
  /** The run's state or events changed: followers re-read it. */
  onRunChanged(runId: string, listener: () => void): () => void;
  /** A cancel of the run was requested in this process. */
  onCancelRequested(listener: (runId: string) => void): () => void;
  /** The run ended or paused. */
  onRunSettled(runId: string, listener: () => void): () => void;
  /** Any run ended or paused. */
  onAnyRunSettled(listener: (runId: string) => void): () => void;
  /** The plan was created, advanced or ended. */
  onPlanChanged(planId: string, listener: () => void): () => void;
  /** Runs (or plans) became runnable: workers and the plan executor look for work. */
  onWorkQueued(listener: () => void): () => void;
}

/**
 * In-process wake-ups: "this run changed" for event streams and waiters, "work is queued" for workers.
 * Other processes are not told; their readers and workers poll the store as well. Only the kernel holds
 * this emitting side; everyone else gets it as KernelEvents.
 */
export class KernelSignals implements KernelEvents {
  readonly #emitter = new EventEmitter();
  readonly #shutdown = new AbortController();
  /** Aborted when the process begins a graceful stop: long-lived readers end. */
  readonly stopping: AbortSignal = this.#shutdown.signal;

  shutdown(): void {
    this.#shutdown.abort();
  }

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  runChanged(runId: string): void {
    this.#emitter.emit(`run:${runId}`);
  }

  onRunChanged(runId: string, listener: () => void): () => void {
    this.#emitter.on(`run:${runId}`, listener);
    return () => this.#emitter.off(`run:${runId}`, listener);
  }

  /** A cancel was requested in this process; a local worker driving the run stops at once. */
  cancelRequested(runId: string): void {
    this.#emitter.emit('cancel', runId);
  }

  onCancelRequested(listener: (runId: string) => void): () => void {
    this.#emitter.on('cancel', listener);
    return () => this.#emitter.off('cancel', listener);
  }

  /** The run ended or paused: what waiters for an answer wait for. */
  runSettled(runId: string): void {
    this.#emitter.emit(`settled:${runId}`);
    this.#emitter.emit('settled', runId);
  }

  /** Any run ended or paused (the plan executor advances the plans waiting for it). */
  onAnyRunSettled(listener: (runId: string) => void): () => void {
    this.#emitter.on('settled', listener);
    return () => this.#emitter.off('settled', listener);
  }

  /** A plan was created, advanced or ended. */
  planChanged(planId: string): void {
    this.#emitter.emit(`plan:${planId}`);
  }

  onPlanChanged(planId: string, listener: () => void): () => void {
    this.#emitter.on(`plan:${planId}`, listener);
    return () => this.#emitter.off(`plan:${planId}`, listener);
  }

  onRunSettled(runId: string, listener: () => void): () => void {
    this.#emitter.on(`settled:${runId}`, listener);
    return () => this.#emitter.off(`settled:${runId}`, listener);
  }

  workQueued(): void {
    this.#emitter.emit('work');
  }

  onWorkQueued(listener: () => void): () => void {
    this.#emitter.on('work', listener);
    return () => this.#emitter.off('work', listener);
  }
}

/**
 * One wait of a loop that re-reads something another process may change: resolves at the first of the
 * local signal (`subscribe`), `pollMs` elapsed, or `abort`. The caller re-reads and decides.
 */
export function nextWake(
  subscribe: (wake: () => void) => () => void,
  pollMs: number,
  abort?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      abort?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, pollMs);
    const unsubscribe = subscribe(finish);
    abort?.addEventListener('abort', finish, { once: true });
  });
}
