export const REDACTED = '[redacted]';

/** Replaces every occurrence of the given secret values in a text; short values are left alone. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

/** The same for raw bytes (a blob): each secret's UTF-8 bytes are replaced by `[redacted]`'s. */
export function redactBytes(bytes: Uint8Array, secrets: readonly string[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const needle = Buffer.from(secret, 'utf8');
    if (out.indexOf(needle) === -1) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = out.indexOf(needle); at !== -1; at = out.indexOf(needle, from)) {
      parts.push(out.subarray(from, at), Buffer.from(REDACTED, 'utf8'));
      from = at + needle.length;
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return new Uint8Array(out);
}

/** The same for every string inside a JSON-like value (keys included). */
export function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactText(key, secrets), redactValue(item, secrets)]),
    );
  }
  return value;
}
