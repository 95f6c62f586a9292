export const REDACTED = '[redacted]';

const SECRET_KEY = /secret|password|token|api[_-]?key|authorization/i;
// Our own API keys (`aos_` + 32 random bytes in base64url) and provider keys shaped like `sk-…`.
const SECRET_VALUE = /aos_[A-Za-z0-9_-]{43}|\bsk-[A-Za-z0-9_-]{8,}/g;

/**
 * A copy of `value` safe to keep forever: values under secret-sounding keys become `[redacted]`, and
 * strings anywhere that look like API keys are replaced. Output is plain JSON (Dates become ISO strings).
 */
export function redactSecrets<T>(value: T): T {
  return redact(JSON.parse(JSON.stringify(value ?? null)) as unknown) as T;
}

function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, REDACTED);
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? REDACTED : redact(inner)]),
  );
}
