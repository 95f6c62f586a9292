import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';

/**
 * How a webhook trigger's deliveries are signed. `standard-webhooks` (https://www.standardwebhooks.com/, the
 * default): `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed by
 * the base64 part of the `whsec_…` secret, the timestamp within five minutes of now and the id deduplicated.
 * `hmac-sha256-body` (opt-in, and every trigger made before): `X-AgentOS-Signature: sha256=<hex HMAC of the
 * body>` with a required, deduplicated `X-AgentOS-Delivery` id, since the signature alone does not stop a replay.
 */
export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256-body';

/** Either side of now: a delivery signed earlier (a replay) or later (a skewed clock) is refused. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const refused = () => new AgentOsError('auth.invalid', 'The webhook signature does not match');

/** A fresh secret in the scheme's form: `whsec_<base64 of 32 random bytes>`, or 64 hex digits (legacy). */
export function newWebhookSecret(scheme: SignatureScheme): string {
  const key = randomBytes(32);
  return scheme === 'standard-webhooks' ? `whsec_${key.toString('base64')}` : key.toString('hex');
}

/** The HMAC key of a secret: the decoded base64 after `whsec_`; a legacy secret is its own text. */
function hmacKey(scheme: SignatureScheme, secret: string): Buffer {
  return scheme === 'standard-webhooks'
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` for this message: what a sender puts in `webhook-signature` (tests and the docs use it). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: Buffer): string {
  const mac = createHmac('sha256', hmacKey('standard-webhooks', secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

export interface StandardHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Checks a Standard Webhooks delivery and returns its id (the deduplication key). Any one `v1,` entry of the
 * space-separated list may match (a sender rotating secrets signs with both). The signature is checked before
 * the timestamp, so only an authentic but old (or early) delivery learns `webhook.stale_timestamp`.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: StandardHeaders,
  body: Buffer,
  nowMs: number = Date.now(),
): string {
  const { id, timestamp, signature } = headers;
  if (id === undefined || !/^[\x21-\x7e]{1,200}$/.test(id)) throw refused();
  if (timestamp === undefined || !/^[0-9]{1,12}$/.test(timestamp)) throw refused();
  if (signature === undefined) throw refused();
  const seconds = Number(timestamp);
  const expected = createHmac('sha256', hmacKey('standard-webhooks', secret))
    .update(`${id}.${seconds}.`)
    .update(body)
    .digest();
  const matches = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => sameBytes(expected, Buffer.from(entry.slice(3), 'base64')));
  if (!matches) throw refused();
  if (Math.abs(nowMs / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new AgentOsError(
      'webhook.stale_timestamp',
      `The webhook-timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS} seconds away from now`,
    );
  }
  return id;
}

/** Checks a legacy body signature (`sha256=<hex>`) in constant time. */
export function verifyBodySignature(secret: string, signature: string | undefined, body: Buffer): void {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '')?.[1];
  if (given === undefined) throw refused();
  const expected = createHmac('sha256', hmacKey('hmac-sha256-body', secret)).update(body).digest();
  if (!sameBytes(expected, Buffer.from(given, 'hex'))) throw refused();
}
