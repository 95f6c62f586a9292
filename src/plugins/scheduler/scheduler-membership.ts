import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import { type CancelTimer, type Clock, repeatEvery, systemClock } from '../../core/time/clock.ts';
import type { LlmScheduler } from './llm-scheduler.ts';
import type { LaneSnapshot } from './scheduler-snapshot.ts';

export interface SchedulerMember {
  memberId: string;
  heartbeatAt: Date;
  lanes: LaneSnapshot[];
}

/**
 * Coordinates the limits of every process that shares the store: each process heartbeats a row and
 * takes 1/n of every lane's limits, n = live members. A process that joins is counted by the others
 * within one interval (until then the deployment may exceed a limit by at most the newcomer's share);
 * a process that dies is dropped after `staleMs` (until then the survivors stay under the limit).
 * Heartbeat times and staleness are the store's `now()`, so members on machines whose clocks
 * disagree still agree; `clock` only paces this member's heartbeats.
 */
export class SchedulerMembership {
  readonly #store: Store;
  readonly #scheduler: LlmScheduler;
  readonly #memberId: string;
  readonly #intervalMs: number;
  readonly #staleMs: number;
  readonly #clock: Clock;
  #stopTimer: CancelTimer | undefined;
  #tick: Promise<void> = Promise.resolve();

  constructor(
    store: Store,
    scheduler: LlmScheduler,
    options: { memberId: string; intervalMs?: number; staleMs?: number; clock?: Clock },
  ) {
    this.#store = store;
    this.#scheduler = scheduler;
    this.#memberId = options.memberId;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#staleMs = options.staleMs ?? 3 * this.#intervalMs;
    this.#clock = options.clock ?? systemClock;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.#stopTimer = repeatEvery(this.#clock, this.#intervalMs, () => {
      this.#tick = this.heartbeat().catch(() => {});
    });
  }

  async heartbeat(): Promise<void> {
    await this.#store.query(
      `INSERT INTO scheduler_members (member_id, heartbeat_at, snapshot) VALUES ($1, now(), $2::jsonb)
       ON CONFLICT (member_id) DO UPDATE SET heartbeat_at = now(), snapshot = EXCLUDED.snapshot`,
      [this.#memberId, jsonParam(this.#scheduler.snapshot())],
    );
    await this.#store.query(
      `DELETE FROM scheduler_members WHERE heartbeat_at < now() - ($1 * interval '1 millisecond')`,
      [this.#staleMs],
    );
    const { rows } = await this.#store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM scheduler_members',
    );
    this.#scheduler.setShare(1 / Math.max(1, rows[0]?.n ?? 1));
  }

  async stop(): Promise<void> {
    this.#stopTimer?.();
    await this.#tick;
    await this.#store
      .query('DELETE FROM scheduler_members WHERE member_id = $1', [this.#memberId])
      .catch(() => {});
  }
}

export async function listSchedulerMembers(db: SqlClient): Promise<SchedulerMember[]> {
  const { rows } = await db.query<{ member_id: string; heartbeat_at: Date; snapshot: LaneSnapshot[] }>(
    'SELECT member_id, heartbeat_at, snapshot FROM scheduler_members ORDER BY member_id',
  );
  return rows.map((row) => ({ memberId: row.member_id, heartbeatAt: row.heartbeat_at, lanes: row.snapshot }));
}
