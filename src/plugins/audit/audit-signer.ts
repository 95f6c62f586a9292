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
import type { Store } from '../../core/store/sql-client.ts';

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
