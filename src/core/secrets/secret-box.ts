import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOsError } from '../errors/agent-os-error.ts';

export const SECRET_KEY_ENV = 'AGENTOS_SECRET_KEY';
export const SECRET_KEY_FILE = 'secret.key';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * AES-256-GCM for credentials at rest. Each value is sealed with a fresh IV and bound to a context
 * (e.g. the row it belongs to) as associated data, so a sealed value copied to another row will not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new AgentOsError('config.invalid', 'The secret key must be 32 bytes');
    this.#key = key;
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [format, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new AgentOsError('internal', 'A stored secret is not in a known format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new AgentOsError(
        'internal',
        `A stored secret cannot be decrypted: was ${SECRET_KEY_ENV} or ${SECRET_KEY_FILE} changed?`,
      );
    }
  }
}

function decodeKey(text: string, from: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new AgentOsError('config.invalid', `${from} must hold ${KEY_BYTES} bytes in base64`);
  }
  return key;
}

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The key from AGENTOS_SECRET_KEY (base64, 32 bytes; give every process on one database the same one),
 * else from `<home>/secret.key`, created with mode 0600 on first use.
 */
export function loadSecretBox(home: string, env: Env = process.env): SecretBox {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return new SecretBox(decodeKey(fromEnv, SECRET_KEY_ENV));
  const path = join(home, SECRET_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== undefined) return new SecretBox(decodeKey(existing, path));
  const key = randomBytes(KEY_BYTES);
  mkdirSync(home, { recursive: true });
  try {
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs, so both read what the other wrote.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return new SecretBox(decodeKey(readFileSync(path, 'utf8'), path));
    throw error;
  }
  chmodSync(path, 0o600);
  return new SecretBox(key);
}
