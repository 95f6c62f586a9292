import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/sql-client.ts';
import { chainPendingAudit } from './audit-chainer.ts';

export const AUDIT_KEY_FILE = 'audit-signing-key.pem';
export const AUDIT_KEY_ENV = 'AGENTOS_AUDIT_SIGNING_KEY';

type Env = Readonly<Record<string, string | undefined>>;

/** Signs checkpoints with an Ed25519 key; `publicKey` is SPKI PEM, stored beside each signature. */
export interface AuditSigner {
  publicKey: string;
  sign(message: string): string;
}

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  signature: string;
  publicKey: string;
}

function signerFrom(privateKey: KeyObject): AuditSigner {
  return {
    publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64'),
  };
}

function readKeyFile(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * The process's signing key: `AGENTOS_AUDIT_SIGNING_KEY` (PEM) when set — set the same one on every
 * process sharing a PostgreSQL — else `<home>/audit-signing-key.pem` (0600), created on first use.
 */
export function loadAuditSigner(home: string, env: Env = process.env): AuditSigner {
  const fromEnv = env[AUDIT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return signerFrom(createPrivateKey(fromEnv));
  const path = join(home, AUDIT_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== undefined) return signerFrom(createPrivateKey(existing));
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  mkdirSync(home, { recursive: true });
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs, so both sign with one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return signerFrom(createPrivateKey(readFileSync(path)));
    throw error;
  }
  chmodSync(path, 0o600);
  return signerFrom(privateKey);
}

/** The public key verification should trust on this host, without creating a key; undefined if none. */
export function localAuditPublicKey(home: string, env: Env = process.env): string | undefined {
  const pem = env[AUDIT_KEY_ENV]?.trim() || readKeyFile(join(home, AUDIT_KEY_FILE));
  if (pem === undefined || pem === '') return undefined;
  return signerFrom(createPrivateKey(pem)).publicKey;
}

export const checkpointMessage = (seq: number, hash: string): string => `${seq}:${hash}`;

/** True when `signature` is a valid Ed25519 signature by `publicKey` (SPKI PEM or base64 DER). */
export function verifyCheckpointSignature(checkpoint: AuditCheckpoint, publicKey: string): boolean {
  try {
    const key = publicKey.includes('BEGIN')
      ? createPublicKey(publicKey)
      : createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    const message = Buffer.from(checkpointMessage(checkpoint.seq, checkpoint.hash));
    return verify(null, message, key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Canonical form of a public key, so PEM and base64 DER spellings of one key compare equal. */
export function normalisePublicKey(publicKey: string): string | undefined {
  try {
    const key = publicKey.includes('BEGIN')
      ? createPublicKey(publicKey)
      : createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.export({ type: 'spki', format: 'der' }).toString('base64');
  } catch {
    return undefined;
  }
}

/** Signs `${seq}:${hash}` of the newest entry; undefined when it is already covered (or the log is empty). */
export async function writeCheckpoint(
  store: Store,
  signer: AuditSigner,
): Promise<AuditCheckpoint | undefined> {
  const { rows } = await store.query<{ seq: number; hash: string; covered: boolean }>(
    `SELECT seq, hash, EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.seq >= l.seq) AS covered
     FROM audit_log l ORDER BY seq DESC LIMIT 1`,
  );
  const newest = rows[0];
  if (newest === undefined || newest.covered) return undefined;
  const seq = Number(newest.seq);
  const checkpoint = {
    seq,
    hash: newest.hash,
    signature: signer.sign(checkpointMessage(seq, newest.hash)),
    publicKey: signer.publicKey,
  };
  // Several processes may checkpoint the same entry; the first one stands.
  await store.query(
    `INSERT INTO audit_checkpoints (seq, hash, signature, public_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (seq) DO NOTHING`,
    [checkpoint.seq, checkpoint.hash, checkpoint.signature, checkpoint.publicKey],
  );
  return checkpoint;
}

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

/**
 * Signs a checkpoint every N entries or T milliseconds, whichever comes first, and once more on stop,
 * so a cleanly stopped process leaves the whole log covered. It polls the newest seq, so it sees
 * entries written by every process on the store.
 */
export class AuditCheckpointer {
  readonly #store: Store;
  readonly #signer: AuditSigner;
  readonly #policy: CheckpointPolicy;
  readonly #log: (message: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #lastAt = Date.now();

  constructor(
    store: Store,
    signer: AuditSigner,
    options: Partial<CheckpointPolicy> & { log?: (message: string) => void } = {},
  ) {
    this.#store = store;
    this.#signer = signer;
    const defaults = checkpointPolicyFromEnv();
    this.#policy = {
      everyEntries: options.everyEntries ?? defaults.everyEntries,
      everyMs: options.everyMs ?? defaults.everyMs,
    };
    this.#log = options.log ?? (() => {});
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
      await writeCheckpoint(this.#store, this.#signer);
      this.#lastAt = Date.now();
    } catch (error) {
      this.#log(`audit checkpoint failed: ${(error as Error).message}`);
    }
  }
}
