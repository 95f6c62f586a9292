import type { Store } from '../store/sql-client.ts';
import { consolidateMemories } from './memory-consolidation.ts';

/**
 * Runs memory consolidation every `intervalMs` in a worker process, one run at a time and never at start
 * (it is background work). Processes on one PostgreSQL take turns through consolidation's advisory lock.
 */
export class ConsolidationTicker {
  readonly #store: Store;
  readonly #intervalMs: number;
  readonly #log: (message: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(store: Store, options: { intervalMs: number; log?: (message: string) => void }) {
    this.#store = store;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log ?? (() => {});
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#stopped || this.#timer !== undefined) return;
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = consolidateMemories(this.#store)
        .then((result) => {
          if (result.merged + result.expired + result.blocksRewritten > 0) {
            this.#log(
              `memory consolidation: merged ${result.merged}, expired ${result.expired}, rewrote ${result.blocksRewritten} blocks`,
            );
          }
        })
        .catch((error: unknown) => this.#log(`memory consolidation failed: ${(error as Error).message}`))
        .finally(() => {
          if (!this.#stopped) this.#schedule();
        });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
