import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_KEY_FILE,
  checkpointMessage,
  loadAuditSigner,
  localAuditPublicKey,
  normalisePublicKey,
  verifyCheckpointSignature,
} from '../../src/plugins/audit/audit-signer.ts';
import { tempHome } from '../support/test-config.ts';

describe('the audit signing key', () => {
  it('is created once in the home (0600) and reused', () => {
    const home = join(tempHome(), 'nested');
    expect(localAuditPublicKey(home, {})).toBeUndefined();
    const first = loadAuditSigner(home, {});
    const file = join(home, AUDIT_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    expect(loadAuditSigner(home, {}).publicKey).toBe(first.publicKey);
    expect(localAuditPublicKey(home, {})).toBe(first.publicKey);
  });

  it('comes from AGENTOS_AUDIT_SIGNING_KEY when set', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const env = { AGENTOS_AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const home = tempHome();
    const signer = loadAuditSigner(home, env);
    expect(signer.publicKey).not.toBe(loadAuditSigner(tempHome(), {}).publicKey);
    expect(localAuditPublicKey(home, env)).toBe(signer.publicKey);
    expect(() => statSync(join(home, AUDIT_KEY_FILE))).toThrow();
  });

  it('signs seq:hash so that only that pair verifies, with the key as PEM or base64 DER', () => {
    const signer = loadAuditSigner(tempHome(), {});
    const hash = 'f'.repeat(64);
    const checkpoint = {
      seq: 7,
      hash,
      signature: signer.sign(checkpointMessage(7, hash)),
      publicKey: signer.publicKey,
    };
    const der = normalisePublicKey(signer.publicKey)!;
    expect(verifyCheckpointSignature(checkpoint, signer.publicKey)).toBe(true);
    expect(verifyCheckpointSignature(checkpoint, der)).toBe(true);
    expect(verifyCheckpointSignature({ ...checkpoint, seq: 8 }, signer.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...checkpoint, hash: 'e'.repeat(64) }, der)).toBe(false);
    expect(verifyCheckpointSignature(checkpoint, 'not a key')).toBe(false);
  });
});
