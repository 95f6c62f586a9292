/**
 * Field-level labels of a tool's output. A hotel search returns the provider's names, ratings and prices
 * beside reviews that strangers wrote; the output taints the run, but a value read from `[].name` is the
 * system's own data. A path is property names joined by dots, `[]` standing for every item of a list:
 * `[].name`, `items[].price`, `from`. A string output that holds JSON is read as that JSON.
 */

const PATH = /^(?:\[\]|[A-Za-z_$][\w$-]*)(?:\[\]|\.[A-Za-z_$][\w$-]*)*$/;
export const MAX_TRUSTED_FIELDS = 50;
const MAX_VALUES = 2_000;

/** Whether a path is one this module reads (`[].name`, `a.b[].c`). */
export const isFieldPath = (path: string): boolean => path.length <= 200 && PATH.test(path);

function segments(path: string): string[] {
  return path.split(/\.|(?=\[\])|(?<=\[\])/).filter((part) => part !== '');
}

function parsedOutput(output: unknown): unknown {
  if (typeof output !== 'string') return output;
  const text = output.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return output;
  try {
    return JSON.parse(text);
  } catch {
    return output;
  }
}

function collect(value: unknown, parts: readonly string[], into: string[]): void {
  if (into.length >= MAX_VALUES) return;
  if (parts.length === 0) {
    if (typeof value === 'string' && value.trim() !== '') into.push(value.trim());
    else if (typeof value === 'number' && Number.isFinite(value)) into.push(String(value));
    else if (Array.isArray(value)) for (const item of value) collect(item, parts, into);
    return;
  }
  const [head, ...rest] = parts;
  if (head === '[]') {
    if (Array.isArray(value)) for (const item of value) collect(item, rest, into);
    return;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    collect((value as Record<string, unknown>)[head ?? ''], rest, into);
}

/**
 * The string and number values at the trusted paths of an output, each on its own: joined with NUL, which
 * no value matching spans (`tools/value-provenance.ts` matches within one value, never across two).
 */
export function trustedFieldText(output: unknown, paths: readonly string[]): string | undefined {
  const values: string[] = [];
  const data = parsedOutput(output);
  for (const path of paths) if (isFieldPath(path)) collect(data, segments(path), values);
  return values.length === 0 ? undefined : values.join('\u0000');
}
