import { z } from 'zod';

/*
 * One tool name everywhere: the registry, the journal, approvals, grants, traces, policy and the model's
 * function name are the same string. It is therefore a valid function name for every provider (OpenAI and
 * Anthropic: letters, digits, `_`, `-`, at most 64), so nothing maps names on the way to the model.
 * An MCP server's tool is `<server>__<tool>`; built-in tools are plain names without `__`.
 */

/** Between an MCP server's name and its tool's: `bank__send_money`. */
export const MCP_SEPARATOR = '__';

/** What providers accept as a function name. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const TOOL_NAME_RULE =
  'letters, digits, "_" and "-", at most 64 (e.g. "http_fetch", "bank__send_money")';
/** How names were spelt before: `<server>.<tool>`. */
const LEGACY_MCP_NAME = /^([a-z][a-z0-9_-]{0,31})\.(.+)$/;

export const isValidToolName = (name: string): boolean => TOOL_NAME.test(name);

/** Why `server` cannot name an MCP server's tools, or undefined: the separator must stay unambiguous. */
export function mcpServerNameProblem(server: string): string | undefined {
  if (server.includes(MCP_SEPARATOR))
    return `must not contain "${MCP_SEPARATOR}" (it separates server and tool)`;
  if (server.endsWith('_'))
    return `must not end with "_" (its tools are named <server>${MCP_SEPARATOR}<tool>)`;
  return undefined;
}

/** The name of the MCP server `server`'s tool `tool`; it is a valid tool name only if `isValidToolName` says so. */
export const mcpToolName = (server: string, tool: string): string => `${server}${MCP_SEPARATOR}${tool}`;

/** The MCP server a tool name belongs to (the part before the first `__`), or undefined for a built-in name. */
export function mcpServerOfToolName(name: string): string | undefined {
  const at = name.indexOf(MCP_SEPARATOR);
  return at > 0 ? name.slice(0, at) : undefined;
}

/**
 * The current spelling of a name stored before the rule: `bank.send_money` → `bank__send_money`. Names that
 * follow the rule, and anything else, come back unchanged.
 */
export function canonicalToolName(name: string): string {
  const legacy = LEGACY_MCP_NAME.exec(name);
  if (legacy === null || mcpServerNameProblem(legacy[1] ?? '') !== undefined) return name;
  return mcpToolName(legacy[1] ?? '', legacy[2] ?? '');
}

/** How a name was spelt before the rule (`bank__send_money` → `bank.send_money`), for rows stored then. */
export function legacyToolName(name: string): string | undefined {
  const server = mcpServerOfToolName(name);
  if (server === undefined || mcpServerNameProblem(server) !== undefined) return undefined;
  const legacy = `${server}.${name.slice(server.length + MCP_SEPARATOR.length)}`;
  return canonicalToolName(legacy) === name ? legacy : undefined;
}

/** A boundary pattern (a name, optionally ending in `*`) in the current spelling: `github.*` → `github__*`. */
export function canonicalToolPattern(pattern: string): string {
  if (!pattern.endsWith('*')) return canonicalToolName(pattern);
  const prefix = pattern.slice(0, -1);
  return prefix.endsWith('.')
    ? `${canonicalToolName(`${prefix}x`).slice(0, -1)}*`
    : `${canonicalToolName(prefix)}*`;
}

/** Cedar entity references and `context.tool` comparisons that name tools in the old spelling, rewritten. */
export function canonicalToolNamesInCedar(text: string): string {
  return text
    .replace(/Tool::"([^"\\]*)"/g, (_, name: string) => `Tool::"${canonicalToolName(name)}"`)
    .replace(
      /(context\.tool\s*(?:==|like)\s*)"([^"\\]*)"/g,
      (_, head: string, name: string) => `${head}"${canonicalToolPattern(name)}"`,
    );
}

/** A tool name as builders write it (agents, skills, plans): stored names in the old spelling are read in the new. */
export const toolNameReferenceSchema = z.string().min(1).max(200).overwrite(canonicalToolName);
