import type { LaneLimits } from '../../core/config/scheduler-config.ts';
import type { Priority } from '../../core/kernel/model-gateway.ts';
import { type Clock, systemClock } from '../../core/time/clock.ts';
import { type FairItem, FairQueue } from './fair-queue.ts';
import { RateWindow } from './rate-window.ts';

export interface QueuedCall extends FairItem {
  priority: Priority;
  estimatedTokens: number;
  /** Starts the call once admitted; the lane is told when it ends through `release`. */
  start: () => void;
}

const CLASSES: readonly Priority[] = ['interactive', 'standard', 'background'];

/** Every 8th dispatch may go to a lower class that has waited, so nothing starves under a steady interactive load. */
const LOWER_CLASS_EVERY = 8;

/** One provider (or model) with its limits, its in-flight calls and its three queues. */
export class Lane {
  readonly name: string;
  limits: LaneLimits;
  /** This process's share of the limits when several processes coordinate. */
  share = 1;
  inFlight = 0;
  pausedUntil = 0;
  readonly window = new RateWindow();
  readonly queues: Record<Priority, FairQueue<QueuedCall>>;
  readonly stats = { dispatched: 0, rateLimited: 0, retried: 0, failed: 0, waitMsTotal: 0, maxWaitMs: 0 };
  /** Moving averages used to estimate a call before it runs. */
  avgCompletionTokens = 256;
  avgDurationMs = 500;
  /**
   * Concurrency learned from a provider that answered 429 while we were within our configured limit:
   * cut to what it was actually serving, then grown back by one per 20 successes (AIMD).
   */
  learnedConcurrency = Number.POSITIVE_INFINITY;
  #successes = 0;
  #sinceLowerClass = 0;

  constructor(
    name: string,
    limits: LaneLimits,
    weight: (workspaceId: string) => number,
    clock: Clock = systemClock,
  ) {
    this.name = name;
    this.limits = limits;
    this.queues = {
      interactive: new FairQueue(weight, clock),
      standard: new FairQueue(weight, clock),
      background: new FairQueue(weight, clock),
    };
  }

  get queued(): number {
    return this.queues.interactive.size + this.queues.standard.size + this.queues.background.size;
  }

  effectiveLimits(): { concurrency: number; rpm: number | undefined; tpm: number | undefined } {
    const part = (value: number) => Math.max(1, Math.floor(value * this.share));
    return {
      concurrency: Math.max(1, Math.min(part(this.limits.concurrency), this.learnedConcurrency)),
      rpm: this.limits.rpm === undefined ? undefined : part(this.limits.rpm),
      tpm: this.limits.tpm === undefined ? undefined : part(this.limits.tpm),
    };
  }

  enqueue(call: QueuedCall, front = false): void {
    this.queues[call.priority].push(call, front);
  }

  remove(call: QueuedCall): boolean {
    return this.queues[call.priority].remove(call);
  }

  /** The queue to serve next: highest class first, aged background counts as standard, lower classes get a trickle. */
  nextQueue(now: number, agingMs: number): FairQueue<QueuedCall> | undefined {
    const { interactive, standard, background } = this.queues;
    const backgroundAged = (background.oldestWaitingSince() ?? now) <= now - agingMs;
    const lower =
      backgroundAged && background.size > 0 ? background : standard.size > 0 ? standard : background;
    if (interactive.size > 0) {
      if (lower.size > 0 && this.#sinceLowerClass >= LOWER_CLASS_EVERY) {
        this.#sinceLowerClass = 0;
        return lower;
      }
      this.#sinceLowerClass++;
      return interactive;
    }
    this.#sinceLowerClass = 0;
    if (backgroundAged && background.size > 0) return background;
    for (const priority of CLASSES) if (this.queues[priority].size > 0) return this.queues[priority];
    return undefined;
  }

  /** `serving`: how many of our calls the provider was serving when it said no. */
  learnRejection(serving: number): void {
    this.learnedConcurrency = Math.max(1, Math.min(this.learnedConcurrency, serving));
    this.#successes = 0;
  }

  learnSuccess(): void {
    if (!Number.isFinite(this.learnedConcurrency)) return;
    if (++this.#successes >= 20) {
      this.#successes = 0;
      this.learnedConcurrency++;
      if (this.learnedConcurrency >= this.limits.concurrency)
        this.learnedConcurrency = Number.POSITIVE_INFINITY;
    }
  }

  observe(durationMs: number, completionTokens: number): void {
    this.avgDurationMs = this.avgDurationMs * 0.9 + durationMs * 0.1;
    this.avgCompletionTokens = this.avgCompletionTokens * 0.9 + completionTokens * 0.1;
  }
}
