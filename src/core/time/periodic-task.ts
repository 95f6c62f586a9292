/** Background work a worker process runs besides runs: started with the worker, stopped before it. */
export interface BackgroundService {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Background work in a worker process that runs every `intervalMs`, one run at a time, never at start-up
 * and never overlapping itself (memory consolidation, memory embeddings). Errors are logged, not thrown.
 */
export class PeriodicTask implements BackgroundService {
  readonly name: string;
  readonly #intervalMs: number;
  readonly #run: () => Promise<string | undefined>;
  readonly #log: (message: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  /** `run` may return a line worth logging. `intervalMs` 0 disables the task. */
  constructor(
    name: string,
    intervalMs: number,
    run: () => Promise<string | undefined>,
    log: (message: string) => void = () => {},
  ) {
    this.name = name;
    this.#intervalMs = intervalMs;
    this.#run = run;
    this.#log = log;
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#stopped || this.#timer !== undefined) return;
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = this.#run()
        .then((line) => {
          if (line !== undefined) this.#log(`${this.name}: ${line}`);
        })
        .catch((error: unknown) => this.#log(`${this.name} failed: ${(error as Error).message}`))
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
