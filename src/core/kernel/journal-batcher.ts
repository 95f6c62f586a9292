import type { SqlClient } from '../store/sql-client.ts';
import { type PendingWrite, type WriteOutcome, writeFencedBatch } from './fenced-write.ts';

interface Queued {
  pending: PendingWrite;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for journal writes: writes that arrive while a batch is being written go out together in
 * the next one (one statement, one round trip). Idle, a write goes out at once; under load, batches grow
 * with the load. At most one write per run per batch, so a run's writes stay in order.
 */
export class JournalBatcher {
  readonly #db: SqlClient;
  readonly #maxBatch: number;
  #queue: Queued[] = [];
  #flushing = false;

  constructor(db: SqlClient, options: { maxBatch?: number } = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 256;
  }

  write(pending: PendingWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ pending, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // Let the writes of this tick join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch: Queued[] = [];
      const later: Queued[] = [];
      const runs = new Set<string>();
      for (const item of this.#queue) {
        if (batch.length < this.#maxBatch && !runs.has(item.pending.lease.runId)) {
          runs.add(item.pending.lease.runId);
          batch.push(item);
        } else later.push(item);
      }
      this.#queue = later;
      await this.#send(batch);
    }
    this.#flushing = false;
  }

  async #send(batch: Queued[]): Promise<void> {
    try {
      const outcomes = await writeFencedBatch(
        this.#db,
        batch.map((item) => item.pending),
      );
      for (const [i, item] of batch.entries()) item.resolve(outcomes[i]);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad write (or a deadlock victim) must not fail the others: retry them one by one.
      for (const item of batch) await this.#send([item]);
    }
  }
}
