import { z } from 'zod';
import { TOOL_EFFECTS, TOOL_STAKES, type ToolEffect, type ToolStakes } from '../../core/tools/tool.ts';
import { argumentRoleSchema, toolOverrideSchema } from '../../plugins/mcp/mcp-server-repo.ts';
import { timestamp } from './common-schemas.ts';

/** A registered MCP server as the API writes it (`McpServerRecord`): credentials by name only. */
export const mcpServerSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    transport: z.enum(['stdio', 'http']),
    command: z.string().nullable(),
    args: z.array(z.string()),
    url: z.string().nullable(),
    secretNames: z.object({ env: z.array(z.string()), headers: z.array(z.string()) }),
    /** The operator's labels per tool name, as set through `PATCH …/tools/:tool`. */
    toolOverrides: z.record(z.string(), toolOverrideSchema),
    createdAt: timestamp,
  })
  .meta({ id: 'McpServer' });

/** This process's connection to the server (`McpConnectionManager.status`). */
const mcpConnectionSchema = z.object({
  state: z.enum(['idle', 'connecting', 'connected', 'closed']),
  pid: z.number().int().nullable(),
});

export const mcpServerListSchema = z.object({
  servers: z.array(mcpServerSchema.extend({ connection: mcpConnectionSchema })),
});

export const mcpServerBodySchema = z.object({ server: mcpServerSchema });

/** A server's tool as agents see it, with its effective labels (the operator's, else the defaults). */
export const mcpToolSchema = z
  .object({
    name: z.string(),
    /** What an agent's definition grants and the model calls: `<server>__<tool>`. */
    qualifiedName: z.string(),
    description: z.string().nullable(),
    /** The server's JSON Schema for the arguments, as it lists it. */
    inputSchema: z.record(z.string(), z.unknown()),
    stakes: z.enum(TOOL_STAKES as [ToolStakes, ...ToolStakes[]]),
    effect: z.enum(TOOL_EFFECTS as [ToolEffect, ...ToolEffect[]]),
    destinations: z.array(z.string()),
    trustedOutput: z.boolean(),
    /** Paths into an untrusted output whose values are the system's own data (`[].name`). */
    trustedFields: z.array(z.string()),
    argumentRoles: z.record(z.string(), argumentRoleSchema),
    /** The arguments whose values must come from trusted sources in a tainted run (null: all). */
    securityArguments: z.array(z.string()).nullable(),
    idempotent: z.boolean(),
  })
  .meta({ id: 'McpTool' });

export const mcpToolListSchema = z.object({ tools: z.array(mcpToolSchema) });
