import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactBytes, redactValue } from '../../src/core/secrets/redact.ts';
import { loadSecretBox, SECRET_KEY_FILE, SecretBox } from '../../src/core/secrets/secret-box.ts';
import { tempHome } from '../support/test-config.ts';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, only in the same context', () => {
    const sealed = box.seal('hunter2-password', 'mcp_servers:mcp_1');
    expect(sealed).not.toContain('hunter2');
    expect(box.seal('hunter2-password', 'mcp_servers:mcp_1')).not.toBe(sealed);
    expect(box.open(sealed, 'mcp_servers:mcp_1')).toBe('hunter2-password');
    expect(() => box.open(sealed, 'mcp_servers:mcp_2')).toThrow(/cannot be decrypted/);
  });

  it('detects tampering and a different key', () => {
    const sealed = box.seal('value', 'ctx');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3] ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.');
    expect(() => box.open(tampered, 'ctx')).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'ctx')).toThrow(/cannot be decrypted/);
    expect(() => box.open('garbage', 'ctx')).toThrow(/not in a known format/);
  });

  it('creates <home>/secret.key with mode 0600 on first use and reuses it', () => {
    const home = tempHome();
    const first = loadSecretBox(home, {});
    const path = join(home, SECRET_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadSecretBox(home, {}).open(first.seal('x', 'c'), 'c')).toBe('x');
  });

  it('prefers AGENTOS_SECRET_KEY and rejects a key of the wrong size', () => {
    const key = randomBytes(32).toString('base64');
    const sealed = loadSecretBox(tempHome(), { AGENTOS_SECRET_KEY: key }).seal('y', 'c');
    expect(loadSecretBox(tempHome(), { AGENTOS_SECRET_KEY: key }).open(sealed, 'c')).toBe('y');
    expect(() => loadSecretBox(tempHome(), { AGENTOS_SECRET_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });

  it('redacts secret values anywhere in a JSON value', () => {
    expect(redactValue({ 'TOKEN=abcdef': ['x abcdef y', 3] }, ['abcdef'])).toEqual({
      'TOKEN=[redacted]': ['x [redacted] y', 3],
    });
  });

  it('redacts secret values inside raw bytes, every occurrence, leaving other bytes alone', () => {
    const bytes = Buffer.concat([
      Buffer.from([0, 255]),
      Buffer.from('k=abcdef;abcdefabcdef é'),
      Buffer.from([7]),
    ]);
    const out = Buffer.from(redactBytes(new Uint8Array(bytes), ['abcdef', 'abc']));
    expect(out).toEqual(
      Buffer.concat([
        Buffer.from([0, 255]),
        Buffer.from('k=[redacted];[redacted][redacted] é'),
        Buffer.from([7]),
      ]),
    );
    expect(Buffer.from(redactBytes(new Uint8Array(bytes), ['zzzz']))).toEqual(bytes);
  });
});
