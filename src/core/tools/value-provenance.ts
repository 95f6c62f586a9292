/**
 * Provenance per value. A run's context holds texts of known origin: what its principals wrote (the task,
 * the agent's instructions), the output of tools declared trusted (the user's own balance), and the output
 * of every other tool (an email body, a web page). A tool call's argument value is attributed to the most
 * trusted text it occurs in; a value that occurs in none was made up by the model. Decisions can then be
 * taken per argument ("the recipient came from bank_read_file") rather than per run ("something untrusted
 * was read"). Matching is by occurrence, so a value an attacker plants that also appears in a trusted text
 * counts as trusted — it is the value the user's side already named.
 */

/** A text the run holds and where it came from. */
export interface ContentSource {
  /** `the task`, `the agent's instructions`, or the tool's name. */
  origin: string;
  kind: 'user' | 'trusted_tool' | 'untrusted';
  text: string;
}

/** Where an argument value came from: a source kind, or `model` when it occurs in no source. */
export type Provenance = ContentSource['kind'] | 'model';

export interface ValueProvenance {
  /** The argument's path: `recipient`, `items[].iban`. */
  argument: string;
  value: string;
  provenance: Provenance;
  /** The source it was found in (absent for `model`). */
  origin?: string;
}

const RANK: Record<ContentSource['kind'], number> = { user: 0, trusted_tool: 1, untrusted: 2 };
const MAX_DEPTH = 8;

function leaves(value: unknown, path: string, depth: number): Array<{ argument: string; value: string }> {
  if (depth > MAX_DEPTH) return [];
  if (typeof value === 'string') return value.trim() === '' ? [] : [{ argument: path, value: value.trim() }];
  if (typeof value === 'number' && Number.isFinite(value)) return [{ argument: path, value: String(value) }];
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, `${path}[]`, depth + 1));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) =>
      leaves(item, path === '' ? key : `${path}.${key}`, depth + 1),
    );
  // Booleans and null choose between options the tool defines; they carry no attacker-chosen value.
  return [];
}

/** The string and number values of a call's security-relevant arguments (all of them when none are declared). */
export function securityValues(
  input: unknown,
  securityArguments: readonly string[] | undefined,
): Array<{ argument: string; value: string }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return leaves(input, '', 0);
  const entries = Object.entries(input as Record<string, unknown>).filter(
    ([name]) => securityArguments === undefined || securityArguments.includes(name),
  );
  return entries.flatMap(([name, value]) => leaves(value, name, 1));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const squash = (text: string) => text.replace(/\s+/g, ' ').toLowerCase();

/**
 * Whether `value` occurs in `text`: case- and whitespace-insensitively, and, for a number or a short token,
 * as a whole token (`100` is not in `1000`, `98.7` is in `98.7 EUR`).
 */
export function occursIn(value: string, text: string): boolean {
  const needle = squash(value);
  const haystack = squash(text);
  if (needle.length >= 8 && !/^[\d.,-]+$/.test(needle)) return haystack.includes(needle);
  return new RegExp(`(?<![\\p{L}\\p{N}.])${escapeRegExp(needle)}(?![\\p{L}\\p{N}]|\\.\\d)`, 'u').test(
    haystack,
  );
}

/** Each security-relevant value of a call and the most trusted source it occurs in. */
export function argumentProvenance(
  input: unknown,
  securityArguments: readonly string[] | undefined,
  sources: readonly ContentSource[],
): ValueProvenance[] {
  const ranked = [...sources].sort((a, b) => RANK[a.kind] - RANK[b.kind]);
  return securityValues(input, securityArguments).map(({ argument, value }) => {
    const found = ranked.find((source) => occursIn(value, source.text));
    return found === undefined
      ? { argument, value, provenance: 'model' }
      : { argument, value, provenance: found.kind, origin: found.origin };
  });
}
