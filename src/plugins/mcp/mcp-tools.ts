import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type ToolDefinition, toolEffect, toolStakes } from '../../core/tools/tool.ts';
import type { OfferedTools } from '../../core/tools/tool-catalogue.ts';
import { isValidToolName, mcpServerOfToolName, mcpToolName } from '../../core/tools/tool-name.ts';
import type { ToolSource } from '../../core/tools/tool-registry.ts';
import { destinationPaths, pathName, schemaPropertyNames } from '../policy/egress-destinations.ts';
import type { McpConnectionManager } from './mcp-connection-manager.ts';
import {
  listMcpServers,
  loadMcpServerSpecs,
  type McpServerSpec,
  type ToolOverride,
} from './mcp-server-repo.ts';

const MAX_ERROR_CHARS = 4_000;
/** How long a builder's listing waits for one server before counting it as not answering. */
const OFFER_TIMEOUT_MS = 3_000;

type ContentPart = CallToolResult['content'][number];

/** A validator for the server's JSON Schema; a schema zod cannot read is checked only for being an object. */
function validatorFor(schema: Tool['inputSchema']): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return z.record(z.string(), z.unknown());
  }
}

const textOf = (parts: readonly ContentPart[]): string =>
  parts.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');

/** An MCP result as a tool output: structured content, else the text, else the content parts. */
function outputOf(result: CallToolResult): unknown {
  if (result.isError === true) {
    throw new Error(textOf(result.content).slice(0, MAX_ERROR_CHARS) || 'the server reported an error');
  }
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (result.content.every((part) => part.type === 'text')) return textOf(result.content);
  return result.content;
}

/** The top-level arguments an admin marked as destinations: `destinations` and the destination/recipient roles. */
function markedDestinations(override: ToolOverride | undefined): string[] | undefined {
  const byRole = Object.entries(override?.argumentRoles ?? {})
    .filter(([, role]) => role === 'destination' || role === 'recipient')
    .map(([name]) => name);
  const all = [...new Set([...(override?.destinations ?? []), ...byRole])];
  return all.length === 0 ? undefined : all;
}

/** The arguments of an MCP tool that count as destinations: the admin's marking plus format-detected ones. */
export const mcpToolDestinations = (tool: Tool, override: ToolOverride | undefined): string[] =>
  destinationPaths(tool.inputSchema, markedDestinations(override)).map(pathName);

/** The arguments an admin gave a role: the tool's security-relevant ones (undefined: all of them). */
export function mcpSecurityArguments(override: ToolOverride | undefined): string[] | undefined {
  const named = Object.keys(override?.argumentRoles ?? {});
  return named.length === 0 ? undefined : named;
}

/** Refuses destination names that are not top-level properties of the tool's input schema. */
export function assertToolArguments(serverName: string, tool: Tool, names: readonly string[]): void {
  const known = schemaPropertyNames(tool.inputSchema);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  throw new AgentOsError(
    'request.invalid',
    `"${mcpToolName(serverName, tool.name)}" has no argument ${unknown.map((n) => `"${n}"`).join(', ')} ` +
      `(its arguments: ${known.length === 0 ? 'none' : known.join(', ')})`,
    { unknown, known },
  );
}

/** One MCP tool as a kernel tool: its JSON Schema goes to the model as is; it is never assumed idempotent. */
export function mcpToolDefinition(
  manager: McpConnectionManager,
  spec: McpServerSpec,
  tool: Tool,
): ToolDefinition {
  const override = spec.toolOverrides[tool.name];
  const destinations = markedDestinations(override);
  const securityArguments = mcpSecurityArguments(override);
  const secretArguments = Object.entries(override?.argumentRoles ?? {})
    .filter(([, role]) => role === 'secret')
    .map(([name]) => name);
  return {
    name: mcpToolName(spec.name, tool.name),
    description: tool.description ?? tool.title ?? `Tool "${tool.name}" of the MCP server "${spec.name}"`,
    inputSchema: validatorFor(tool.inputSchema),
    inputJsonSchema: tool.inputSchema,
    idempotent: false,
    stakes: toolStakes(override ?? {}),
    effect: toolEffect(override ?? {}),
    ...(destinations === undefined ? {} : { destinations }),
    ...(override?.trustedOutput === true ? { trustedOutput: true } : {}),
    ...(override?.trustedFields === undefined || override.trustedFields.length === 0
      ? {}
      : { trustedFields: override.trustedFields }),
    ...(securityArguments === undefined ? {} : { securityArguments }),
    ...(secretArguments.length === 0 ? {} : { secretArguments }),
    execute: async (input, context) => {
      const connection = manager.connection(spec);
      const args = (input ?? {}) as Record<string, unknown>;
      const result = await connection.call(tool.name, args, context.signal);
      try {
        return connection.redactOutput(outputOf(result));
      } catch (error) {
        throw new Error(connection.redact((error as Error).message));
      }
    },
  };
}

/** Offers each run the granted `<server>__<tool>` names of its workspace's MCP servers. */
export class McpToolSource implements ToolSource {
  readonly #manager: McpConnectionManager;
  readonly #log: (message: string) => void;

  constructor(manager: McpConnectionManager, log: (message: string) => void) {
    this.#manager = manager;
    this.#log = log;
  }

  async resolve(workspaceId: string, names: readonly string[]): Promise<ToolDefinition[]> {
    const wanted = new Set(names.filter((name) => mcpServerOfToolName(name) !== undefined));
    const servers = [...new Set([...wanted].flatMap((name) => mcpServerOfToolName(name) ?? []))];
    if (servers.length === 0) return [];
    let specs: McpServerSpec[];
    try {
      specs = await loadMcpServerSpecs(this.#manager.store, this.#manager.secretBox(), workspaceId, servers);
    } catch (error) {
      this.#log(`mcp: cannot load the servers of ${workspaceId}: ${(error as Error).message}`);
      return [];
    }
    const offered = await Promise.all(
      specs.map(async (spec) => {
        try {
          const tools = await this.#manager.connection(spec).tools();
          return tools
            .filter((tool) => wanted.has(mcpToolName(spec.name, tool.name)))
            .filter((tool) => isValidToolName(mcpToolName(spec.name, tool.name)))
            .map((tool) => mcpToolDefinition(this.#manager, spec, tool));
        } catch {
          // Already logged, credentials redacted; the run goes on without this server's tools.
          return [];
        }
      }),
    );
    return offered.flat();
  }

  async offered(workspaceId: string, prefixes?: readonly string[]): Promise<OfferedTools> {
    let specs: McpServerSpec[];
    try {
      const names = prefixes ?? (await listMcpServers(this.#manager.store, workspaceId)).map((s) => s.name);
      specs = await loadMcpServerSpecs(this.#manager.store, this.#manager.secretBox(), workspaceId, names);
    } catch (error) {
      this.#log(`mcp: cannot load the servers of ${workspaceId}: ${(error as Error).message}`);
      return { tools: [], unlisted: [] };
    }
    const answers = await Promise.all(specs.map((spec) => this.#offeredBy(spec)));
    return {
      tools: answers.flatMap((answer) => answer.tools),
      unlisted: answers.flatMap((answer) => answer.unlisted),
    };
  }

  async #offeredBy(spec: McpServerSpec): Promise<OfferedTools> {
    const origin = `mcp:${spec.name}`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no tool list within ${OFFER_TIMEOUT_MS} ms`)),
        OFFER_TIMEOUT_MS,
      );
    });
    try {
      const tools = await Promise.race([this.#manager.connection(spec).tools(), late]);
      return {
        tools: tools
          .filter((tool) => isValidToolName(mcpToolName(spec.name, tool.name)))
          .map((tool) => ({ tool: mcpToolDefinition(this.#manager, spec, tool), origin })),
        unlisted: [],
      };
    } catch (error) {
      const message = `MCP server "${spec.name}" did not answer: ${(error as Error).message}`;
      return { tools: [], unlisted: [{ prefix: spec.name, origin, message }] };
    } finally {
      clearTimeout(timer);
    }
  }
}
