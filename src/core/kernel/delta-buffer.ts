/** Coalesces streamed text into a few events a second instead of one write per token. */
export class DeltaBuffer {
  readonly #flush: (text: string) => Promise<void>;
  readonly #intervalMs: number;
  #pending = '';
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(flush: (text: string) => Promise<void>, intervalMs = 100) {
    this.#flush = flush;
    this.#intervalMs = intervalMs;
  }

  push(delta: string): void {
    this.#pending += delta;
    this.#timer ??= setTimeout(() => this.#drain(), this.#intervalMs);
  }

  #drain(): void {
    this.#timer = undefined;
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    // Deltas are best-effort live output; the committed step is the record.
    this.#writing = this.#writing.then(() => this.#flush(text)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#drain();
    await this.#writing;
  }
}
