import { z } from 'zod';
import type { ToolDefinition } from '../../core/tools/tool.ts';
import { isAllowedDestination } from './argument-rules.ts';

/**
 * Egress by reading: a tool argument that names a destination (a URL, host, email address or account) is a
 * channel out of the run whatever the tool's effect — a GET carries its URL, a "visit this link" tool its
 * query string. Which arguments are destinations: those the tool declares (`ToolDefinition.destinations`,
 * an admin's marking of an MCP tool's argument), and every JSON-schema property whose `format` names a place.
 */
export const DESTINATION_FORMATS: ReadonlySet<string> = new Set([
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
]);

/** Property names from the top of an argument object down; `*` stands for any item of an array. */
export type ArgumentPath = readonly string[];

type JsonSchema = Record<string, unknown>;

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_DEPTH = 8;

function formatPaths(schema: unknown, at: string[], depth: number): string[][] {
  if (!isSchema(schema) || depth > MAX_DEPTH) return [];
  const found: string[][] = [];
  if (typeof schema.format === 'string' && DESTINATION_FORMATS.has(schema.format)) found.push(at);
  if (isSchema(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties))
      found.push(...formatPaths(property, [...at, name], depth + 1));
  }
  if (schema.items !== undefined) found.push(...formatPaths(schema.items, [...at, '*'], depth + 1));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key];
    if (Array.isArray(branches))
      for (const branch of branches) found.push(...formatPaths(branch, at, depth + 1));
  }
  return found;
}

/** The names of the top-level properties of a tool's input schema (what an admin may mark). */
export function schemaPropertyNames(schema: unknown): string[] {
  return isSchema(schema) && isSchema(schema.properties) ? Object.keys(schema.properties) : [];
}

/** Every destination path of a tool: the declared top-level names plus the format-detected properties. */
export function destinationPaths(schema: unknown, declared: readonly string[] = []): ArgumentPath[] {
  const paths = [...declared.map((name) => [name]), ...formatPaths(schema, [], 0)];
  const seen = new Set<string>();
  return paths.filter((path) => {
    const key = path.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A readable name for a path: `url`, `recipients[].email`. */
export const pathName = (path: ArgumentPath): string =>
  path.map((part, i) => (part === '*' ? '[]' : i === 0 ? part : `.${part}`)).join('');

const jsonSchemas = new WeakMap<z.ZodType, unknown>();

/** A zod schema's JSON Schema (cached per schema); one zod cannot express yields none, not an error. */
export function jsonSchemaOf(schema: z.ZodType): unknown {
  if (!jsonSchemas.has(schema)) {
    let json: unknown;
    try {
      json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
    } catch {
      json = undefined;
    }
    jsonSchemas.set(schema, json);
  }
  return jsonSchemas.get(schema);
}

function valuesAt(value: unknown, path: ArgumentPath): string[] {
  if (path.length === 0) {
    if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
    // A marked object or list (`{host, path}`): every text inside it is checked.
    if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
    if (typeof value === 'object' && value !== null)
      return Object.values(value).flatMap((item) => valuesAt(item, path));
    return [];
  }
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return valuesAt((value as Record<string, unknown>)[head ?? ''], rest);
}

export interface NamedDestination {
  /** The argument's readable path (`url`). */
  argument: string;
  value: string;
}

/** The destinations a call's validated arguments name, argument by argument. */
export function namedDestinations(input: unknown, paths: readonly ArgumentPath[]): NamedDestination[] {
  return paths.flatMap((path) => valuesAt(input, path).map((value) => ({ argument: pathName(path), value })));
}

/** A host or an address at one, an optional port after it; nothing that could carry a path or a query. */
const PLAIN_DESTINATION = /^((?:[^\s@/?#\\:]+@)?[a-z0-9.-]+)(?::[0-9]{1,5})?$/i;

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:(?![0-9]+$)/i;

/** A URL allowlist entry (`https://api.example.com/v1/status`) allows exactly that URL. */
const isUrlEntry = (entry: string): boolean => entry.includes('://');

function normalisedUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/**
 * Why a destination in a tainted run needs a person, or undefined when it may go ahead. Allowed: the exact
 * text appears in the run's trusted input (the person's task, the agent's instructions); or it is inside the
 * egress allowlist and carries no data of its own — an address or host at an allowed domain, an http(s) URL at
 * an allowed host with no query string, fragment or credentials, or exactly a URL entry of the allowlist.
 */
export function egressProblem(
  destination: string,
  allowlist: readonly string[],
  trustedInput: readonly string[],
): string | undefined {
  if (trustedInput.some((text) => text.includes(destination))) return undefined;
  // `host:587` is a host and a port; `mailto:…`, `data:…` and `scheme://…` are URLs.
  const url = HAS_SCHEME.test(destination) ? normalisedUrl(destination) : undefined;
  if (url !== undefined) {
    if (allowlist.some((entry) => isUrlEntry(entry) && normalisedUrl(entry) === url)) return undefined;
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `a ${parsed.protocol} URL`;
    const hosts = allowlist.filter((entry) => !isUrlEntry(entry));
    const host = parsed.hostname.toLowerCase();
    if (!isAllowedDestination(host, hosts) && !isAllowedDestination(parsed.host.toLowerCase(), hosts))
      return `${parsed.host} is outside the workspace's egress allowlist`;
    if (parsed.username !== '' || parsed.password !== '') return 'the URL carries credentials';
    if (parsed.search !== '') return 'the URL carries a query string';
    if (parsed.hash !== '') return 'the URL carries a fragment';
    return undefined;
  }
  const plain = PLAIN_DESTINATION.exec(destination);
  if (plain === null) return 'it is neither a URL nor a plain host or address';
  if (isAllowedDestination((plain[1] ?? '').toLowerCase(), allowlist)) return undefined;
  return "it is outside the workspace's egress allowlist";
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'()[\]{}`]+/gi;

/** The http(s) URLs written inside an argument object's texts, with the argument each is in. */
export function urlsInText(value: unknown, at: string, depth: number): NamedDestination[] {
  if (depth > MAX_DEPTH) return [];
  if (typeof value === 'string')
    return [...value.matchAll(URL_IN_TEXT)].map((match) => ({
      argument: at === '' ? 'text' : at,
      value: match[0].replace(/[.,;:!?]+$/, ''),
    }));
  if (Array.isArray(value)) return value.flatMap((item) => urlsInText(item, `${at}[]`, depth + 1));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) =>
      urlsInText(item, at === '' ? key : `${at}.${key}`, depth + 1),
    );
  return [];
}

export interface EgressCall {
  tool: Pick<ToolDefinition, 'name' | 'inputSchema' | 'inputJsonSchema' | 'destinations'>;
  input: unknown;
  /**
   * Also the URLs inside every text argument: what a consequential call writes may be rendered (a
   * markdown image in a chat message is fetched by every reader's client, carrying its query string out).
   */
  textUrls?: boolean;
  /** The workspace's egress allowlist (`recipientAllowlist`; absent: empty). */
  allowlist: readonly string[];
  trustedInput: readonly string[];
  /** What the untrusted content in the run's context came from. */
  taintedBy: readonly string[];
}

const MAX_SHOWN_CHARS = 120;
const shown = (value: string): string =>
  value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;

/**
 * `flow.egress_destination`, for a call in a tainted run: why it needs a person (the first destination
 * argument that does not pass `egressProblem`), or undefined when every destination it names may go ahead.
 */
export function egressReason(call: EgressCall): string | undefined {
  const schema = call.tool.inputJsonSchema ?? jsonSchemaOf(call.tool.inputSchema);
  const named = namedDestinations(call.input, destinationPaths(schema, call.tool.destinations));
  if (call.textUrls === true) named.push(...urlsInText(call.input, '', 0));
  for (const { argument, value } of named) {
    const problem = egressProblem(value, call.allowlist, call.trustedInput);
    if (problem === undefined) continue;
    const from = call.taintedBy.length > 0 ? call.taintedBy.join(', ') : 'a tool';
    return (
      `the ${argument} argument of "${call.tool.name}" names a destination (${shown(value)}: ${problem}) ` +
      `and the run has read untrusted content from ${from}`
    );
  }
  return undefined;
}
