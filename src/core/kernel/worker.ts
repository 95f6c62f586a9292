import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { type CancelTimer, type Clock, repeatEvery, systemClock } from '../time/clock.ts';
import { driveRun, type LoopDeps } from './agent-loop.ts';
import { JournalBatcher } from './journal-batcher.ts';
import type { KernelSignals } from './run-events.ts';
import { RunJournal } from './run-journal.ts';
import { claimRuns, type Lease, LeaseLostError, releaseForRetry, renewLeases } from './run-lease.ts';
import type { RunRecord } from './run-record.ts';

export interface WorkerOptions {
  workerId?: string;
  /** Runs driven at once by this worker. */
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  log?: (message: string) => void;
  /** Paces polling and lease renewal (a manual clock in tests); lease expiry itself is the store's `now()`. */
  clock?: Clock;
}

export interface WorkerDeps extends LoopDeps {
  signals: KernelSignals;
}

type StopReason = 'cancel' | 'lease_lost' | 'shutdown';

class RunStop extends Error {
  constructor(readonly reason: StopReason) {
    super(`run stopped: ${reason}`);
  }
}

interface ActiveRun {
  lease: Lease;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Claims runs from the store and drives them. Holds a lease per run and renews them all in one
 * statement every third of the lease; a run whose lease is lost is abandoned at once.
 */
export class Worker {
  readonly id: string;
  readonly #deps: WorkerDeps;
  readonly #options: WorkerOptions;
  readonly #active = new Map<string, ActiveRun>();
  readonly #log: (message: string) => void;
  readonly #batcher: JournalBatcher;
  readonly #clock: Clock;
  #running = false;
  #loop: Promise<void> | undefined;
  #stopHeartbeat: CancelTimer | undefined;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #unsubscribeCancel: (() => void) | undefined;

  constructor(deps: WorkerDeps, options: WorkerOptions) {
    this.#deps = deps;
    this.#options = options;
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.#log = options.log ?? (() => {});
    this.#clock = options.clock ?? systemClock;
    this.#batcher = new JournalBatcher(deps.store);
  }

  get activeRuns(): number {
    return this.#active.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#deps.signals.onWorkQueued(() => this.#wake?.());
    this.#unsubscribeCancel = this.#deps.signals.onCancelRequested((runId) =>
      this.#active.get(runId)?.controller.abort(new RunStop('cancel')),
    );
    // The worker's timers keep a worker-only process alive.
    this.#stopHeartbeat = repeatEvery(
      this.#clock,
      Math.max(50, Math.floor(this.#options.leaseMs / 3)),
      () => void this.#renew(),
      { keepAlive: true },
    );
    this.#loop = this.#claimLoop();
  }

  /** Stops claiming, stops in-flight runs at their next await and hands them back to the queue at once. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wake?.();
    this.#unsubscribe?.();
    this.#unsubscribeCancel?.();
    await this.#loop;
    for (const run of this.#active.values()) run.controller.abort(new RunStop('shutdown'));
    await Promise.all([...this.#active.values()].map((run) => run.done));
    this.#stopHeartbeat?.();
  }

  async #claimLoop(): Promise<void> {
    while (this.#running) {
      const free = this.#options.concurrency - this.#active.size;
      let claimed: RunRecord[] = [];
      if (free > 0) {
        try {
          claimed = await claimRuns(this.#deps.store, this.id, this.#options.leaseMs, Math.min(free, 32));
        } catch (error) {
          this.#log(`worker ${this.id}: claim failed: ${(error as Error).message}`);
        }
      }
      for (const run of claimed) this.#startRun(run);
      if (claimed.length === 0 || this.#active.size >= this.#options.concurrency) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    // stop() may have come while a claim was in flight: its wake-up went to the previous wait.
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.#clock.timer(this.#options.pollMs, () => done(), { keepAlive: true });
      function done() {
        cancel();
        resolve();
      }
      this.#wake = done;
    });
  }

  #startRun(run: RunRecord): void {
    const lease: Lease = { runId: run.id, attempt: run.attempt, workerId: this.id };
    const controller = new AbortController();
    const active: ActiveRun = { lease, controller, done: Promise.resolve() };
    this.#active.set(run.id, active);
    active.done = this.#drive(run, lease, controller.signal).finally(() => {
      this.#active.delete(run.id);
      this.#wake?.();
    });
  }

  async #drive(run: RunRecord, lease: Lease, signal: AbortSignal): Promise<void> {
    const journal = new RunJournal(this.#deps.store, lease, this.#deps.signals, {
      identity: { workspaceId: run.workspaceId, agentId: run.agentId, userId: run.userId },
      batcher: this.#batcher,
      eventKinds: this.#deps.plugins.eventKinds,
    });
    try {
      if (run.cancelRequested) throw new RunStop('cancel');
      if (run.attempt - run.progressAttempt > run.maxAttempts) {
        await journal.finish('failed', {
          error: {
            code: 'run.attempts_exhausted',
            message: `Gave up after ${run.maxAttempts} attempts in a row that made no progress`,
          },
        });
        return;
      }
      await this.#deps.plugins.attempt({ store: this.#deps.store, run }, () =>
        driveRun(this.#deps, run, journal, signal),
      );
    } catch (error) {
      await this.#settle(journal, lease, error);
    }
  }

  /** What an interrupted attempt leaves behind depends on why it stopped. */
  async #settle(journal: RunJournal, lease: Lease, error: unknown): Promise<void> {
    const reason = error instanceof RunStop ? error.reason : journal.cancelRequested ? 'cancel' : undefined;
    try {
      if (error instanceof LeaseLostError || reason === 'lease_lost') return;
      if (reason === 'cancel') {
        await journal.finish('cancelled', {
          error: { code: 'run.cancelled', message: 'Cancelled on request' },
        });
        return;
      }
      if (reason === 'shutdown') {
        await releaseForRetry(this.#deps.store, lease, 0);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.#log(
        `worker ${this.id}: run ${lease.runId} attempt ${lease.attempt} failed unexpectedly: ${message}`,
      );
      // Our own errors are verdicts (bad definition, diverged journal); driver and network errors are retried.
      if (error instanceof AgentOsError && error.code !== 'store.unreachable') {
        await journal.finish('failed', { error: { code: error.code, message } });
        return;
      }
      const delayMs = Math.min(30_000, 200 * 2 ** Math.min(lease.attempt, 8));
      await releaseForRetry(this.#deps.store, lease, delayMs);
    } catch (settleError) {
      if (!(settleError instanceof LeaseLostError)) {
        this.#log(
          `worker ${this.id}: could not settle run ${lease.runId}: ${(settleError as Error).message}`,
        );
      }
    }
  }

  async #renew(): Promise<void> {
    if (this.#active.size === 0) return;
    try {
      const { kept } = await renewLeases(this.#deps.store, this.id, this.#options.leaseMs, [
        ...this.#active.keys(),
      ]);
      for (const [runId, run] of this.#active) {
        const held = kept.get(runId);
        if (held === undefined || held.attempt !== run.lease.attempt)
          run.controller.abort(new RunStop('lease_lost'));
        else if (held.cancelRequested) run.controller.abort(new RunStop('cancel'));
      }
    } catch (error) {
      this.#log(`worker ${this.id}: lease renewal failed: ${(error as Error).message}`);
    }
  }
}
