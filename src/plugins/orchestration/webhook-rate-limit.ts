/** Deliveries a trigger accepts: `perMinute` on average, up to `burst` at once. */
export interface WebhookRate {
  perMinute: number;
  burst: number;
}

export const DEFAULT_WEBHOOK_RATE: WebhookRate = { perMinute: 60, burst: 20 };

/** Buckets kept at most: beyond it the fullest (longest idle) are dropped, so made-up ids cannot grow memory. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per trigger id, in this process's memory: checked before the body is read or the signature
 * checked, so a flood costs no database work. Each API process limits on its own (a limit per process).
 */
export class WebhookRateLimiter {
  readonly #rate: WebhookRate;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: WebhookRate = DEFAULT_WEBHOOK_RATE, now: () => number = Date.now) {
    this.#rate = rate;
    this.#now = now;
  }

  /** Takes one token; when none is left, the seconds until one is (for Retry-After). */
  take(triggerId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    const perMs = this.#rate.perMinute / 60_000;
    const bucket = this.#buckets.get(triggerId) ?? { tokens: this.#rate.burst, at: now };
    bucket.tokens = Math.min(this.#rate.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    // Re-inserted so the map's order is least recently used first.
    this.#buckets.delete(triggerId);
    this.#buckets.set(triggerId, bucket);
    if (this.#buckets.size > MAX_BUCKETS) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }
}
