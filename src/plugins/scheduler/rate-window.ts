const WINDOW_MS = 60_000;
/**
 * The provider stamps a request when it arrives, a little after we admit it; without a margin the
 * request admitted exactly one window after another can still count against the provider's window.
 */
const MARGIN_MS = 250;

interface Entry {
  at: number;
  tokens: number;
}

/**
 * Requests and tokens admitted in the last 60 s, as the provider counts them.
 * Token entries start as estimates and are corrected with the reported usage.
 */
export class RateWindow {
  readonly #entries: Entry[] = [];
  #tokens = 0;

  #expire(now: number): void {
    while (this.#entries.length > 0 && this.#entries[0]!.at <= now - WINDOW_MS - MARGIN_MS) {
      this.#tokens -= this.#entries.shift()!.tokens;
    }
  }

  /** When a request with `tokens` could be admitted under the limits (now, or a later time). */
  admissibleAt(
    now: number,
    tokens: number,
    limits: { rpm?: number | undefined; tpm?: number | undefined },
  ): number {
    this.#expire(now);
    let at = now;
    if (limits.rpm !== undefined && this.#entries.length >= limits.rpm) {
      at = Math.max(at, this.#entries[this.#entries.length - limits.rpm]!.at + WINDOW_MS + MARGIN_MS);
    }
    if (limits.tpm !== undefined && this.#tokens + tokens > limits.tpm && this.#entries.length > 0) {
      // Wait until enough of the oldest entries leave the window.
      let freed = 0;
      for (const entry of this.#entries) {
        freed += entry.tokens;
        if (this.#tokens - freed + tokens <= limits.tpm) {
          at = Math.max(at, entry.at + WINDOW_MS + MARGIN_MS);
          break;
        }
      }
    }
    return at;
  }

  add(now: number, tokens: number): Entry {
    const entry = { at: now, tokens };
    this.#entries.push(entry);
    this.#tokens += tokens;
    return entry;
  }

  correct(entry: Entry, actualTokens: number): void {
    if (this.#entries.includes(entry)) this.#tokens += actualTokens - entry.tokens;
    entry.tokens = actualTokens;
  }

  get requests(): number {
    return this.#entries.length;
  }

  get tokens(): number {
    return this.#tokens;
  }
}
