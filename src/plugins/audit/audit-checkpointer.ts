import { chainPendingAudit } from '../../core/audit-log/audit-chainer.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { anchorRecordOf, appendAnchor } from './audit-anchor.ts';
import { type AuditSigner, writeCheckpoint } from './audit-signer.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface CheckpointPolicy {
  /** Checkpoint once this many entries are uncovered. */
  everyEntries: number;
  /** … or once this long has passed with any entry uncovered. */
  everyMs: number;
}

/** Defaults (100 entries / 60 s), overridable by AGENTOS_AUDIT_CHECKPOINT_ENTRIES and _SECONDS. */
export function checkpointPolicyFromEnv(env: Env = process.env): CheckpointPolicy {
  const positive = (value: string | undefined, fallback: number) => {
    const parsed = Number(value);
    return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
  };
  return {
    everyEntries: Math.floor(positive(env.AGENTOS_AUDIT_CHECKPOINT_ENTRIES, 100)),
    everyMs: positive(env.AGENTOS_AUDIT_CHECKPOINT_SECONDS, 60) * 1000,
  };
}

export interface CheckpointerOptions extends Partial<CheckpointPolicy> {
  /** Each checkpoint is also appended here, fsynced, outside the database (see audit-anchor.ts). */
  anchorFile?: string | undefined;
  log?: (message: string) => void;
}

/**
 * Signs a checkpoint every N entries or T milliseconds, whichever comes first, and once more on stop,
 * so a cleanly stopped process leaves the whole log covered. It polls the newest seq, so it sees
 * entries written by every process on the store. Every checkpoint it signs is anchored to its file and
 * printed to its log, so a copy lives where a database writer cannot reach.
 */
export class AuditCheckpointer {
  readonly #store: Store;
  readonly #signer: AuditSigner;
  readonly #policy: CheckpointPolicy;
  readonly #log: (message: string) => void;
  readonly #anchorFile: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #lastAt = Date.now();

  constructor(store: Store, signer: AuditSigner, options: CheckpointerOptions = {}) {
    this.#store = store;
    this.#signer = signer;
    const defaults = checkpointPolicyFromEnv();
    this.#policy = {
      everyEntries: options.everyEntries ?? defaults.everyEntries,
      everyMs: options.everyMs ?? defaults.everyMs,
    };
    this.#log = options.log ?? (() => {});
    this.#anchorFile = options.anchorFile;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#lastAt = Date.now();
    // The poll also chains the journal's pending entries, so it stays short.
    const pollMs = Math.min(250, this.#policy.everyMs);
    this.#timer = setInterval(() => {
      this.#tick = this.#tick.then(() => this.#maybeCheckpoint());
    }, pollMs);
    this.#timer.unref();
  }

  /** Stops polling, chains what is pending and covers it with one last checkpoint. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await chainPendingAudit(this.#store).catch((error: unknown) =>
      this.#log(`audit chaining failed: ${(error as Error).message}`),
    );
    await this.#checkpoint();
  }

  async #maybeCheckpoint(): Promise<void> {
    try {
      await chainPendingAudit(this.#store);
      const { rows } = await this.#store.query<{ pending: number }>(
        `SELECT COALESCE((SELECT max(seq) FROM audit_log), 0)
           - COALESCE((SELECT max(seq) FROM audit_checkpoints), 0) AS pending`,
      );
      const pending = Number(rows[0]?.pending ?? 0);
      const due = Date.now() - this.#lastAt >= this.#policy.everyMs;
      if (pending >= this.#policy.everyEntries || (pending > 0 && due)) await this.#checkpoint();
    } catch (error) {
      this.#log(`audit checkpoint failed: ${(error as Error).message}`);
    }
  }

  async #checkpoint(): Promise<void> {
    try {
      const checkpoint = await writeCheckpoint(this.#store, this.#signer);
      this.#lastAt = Date.now();
      if (checkpoint === undefined) return;
      const record = anchorRecordOf(checkpoint);
      this.#log(`audit checkpoint ${JSON.stringify(record)}`);
      if (this.#anchorFile !== undefined)
        await appendAnchor(this.#anchorFile, record).catch((error: unknown) =>
          this.#log(`audit anchor ${this.#anchorFile} not written: ${(error as Error).message}`),
        );
    } catch (error) {
      this.#log(`audit checkpoint failed: ${(error as Error).message}`);
    }
  }
}
