import type { SqlParam } from './sql-client.ts';

/**
 * Text PostgreSQL can hold. It refuses U+0000 in text and jsonb, and a lone UTF-16 surrogate in jsonb
 * (a text column silently stores U+FFFD instead). The API refuses such text (openapi/text-hygiene.ts);
 * everything else written to the store (tool output, crawled pages, files, MCP results, model output) is
 * cleaned: both stores pass every parameter through `storableParams` and every jsonb value through
 * `storableJsonText`. Each bad code unit becomes U+FFFD, so lengths and offsets into the text stay the same.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';

export function isStorableText(text: string): boolean {
  return !text.includes(NUL) && !LONE_SURROGATE.test(text);
}

/** The text with every NUL and every lone surrogate replaced by U+FFFD (the same string when none). */
export function toStorableText(text: string): string {
  if (isStorableText(text)) return text;
  return text.replaceAll(NUL, REPLACEMENT).replace(LONE_SURROGATES, REPLACEMENT);
}

/**
 * The same value with its text made storable, for a value the kernel both uses and journals (a tool's
 * output, a model's answer): it must use what a replay will read back. Returns the value itself when it
 * is clean; otherwise rebuilds its arrays and plain objects, leaving other objects (Dates, bytes) as they are.
 */
export function toStorable<T>(value: T): T {
  return findUnstorableText(value, '') === undefined ? value : (cleanPlain(value) as T);
}

function cleanPlain(value: unknown): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (Array.isArray(value)) return value.map(cleanPlain);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [toStorableText(key), cleanPlain(inner)]),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

// How JSON.stringify writes a NUL or a lone surrogate (it writes paired surrogates as they are).
const ESCAPED_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/** Serialises a value for a `$n::jsonb` parameter, cleaned so the database always accepts it. */
export function storableJsonText(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  // Only a hit (or an escaped backslash that merely looks like one) pays for the second pass.
  return ESCAPED_UNSTORABLE.test(json) ? JSON.stringify(cleanPlain(JSON.parse(json))) : json;
}

/** Query parameters with their text made storable; the same array when nothing needed cleaning. */
export function storableParams(params: readonly SqlParam[]): readonly SqlParam[] {
  if (!params.some(needsCleaning)) return params;
  return params.map((param) => {
    if (typeof param === 'string') return toStorableText(param);
    if (isStringArray(param)) return param.map(toStorableText);
    return param;
  });
}

function needsCleaning(param: SqlParam): boolean {
  if (typeof param === 'string') return !isStorableText(param);
  return isStringArray(param) && param.some((item) => !isStorableText(item));
}

function isStringArray(param: SqlParam): param is readonly string[] {
  return Array.isArray(param) && param.some((item) => typeof item === 'string');
}

/**
 * Where the first unstorable string of a value is, as `body.items.2.name` (a bad key is named by its path
 * too); undefined when there is none. Iterative, so a deeply nested request body cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, path: string): string | undefined {
  const pending: Array<{ value: unknown; path: string }> = [{ value, path }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return next.path;
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1)
        pending.push({ value: current[index], path: `${next.path}.${index}` });
    } else if (isPlainObject(current)) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, inner] = entries[index]!;
        const where = `${next.path}.${toStorableText(key)}`;
        if (!isStorableText(key)) return where;
        pending.push({ value: inner, path: where });
      }
    }
  }
  return undefined;
}
