import { Hono } from 'hono';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { toolEffect, toolStakes } from '../../../core/tools/tool.ts';
import { mcpToolName } from '../../../core/tools/tool-name.ts';
import {
  createMcpServer,
  deleteMcpServer,
  listMcpServers,
  loadMcpServerSpec,
  mcpServerInputSchema,
  setToolOverride,
  toolOverrideSchema,
} from '../../../plugins/mcp/mcp-server-repo.ts';
import {
  assertToolArguments,
  mcpSecurityArguments,
  mcpToolDestinations,
} from '../../../plugins/mcp/mcp-tools.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { mcpServerBodySchema, mcpServerListSchema, mcpToolListSchema } from '../../openapi/mcp-schemas.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const overrideBody = toolOverrideSchema.refine((o) => Object.values(o).some((value) => value !== undefined), {
  message:
    'send stakes, effect, destinations, trustedOutput, trustedFields, argumentRoles or several of them',
});

/** Admins register a workspace's MCP servers; credentials go in and never come back out (names only). */
export function mcpServerRoutes({ mcpServers: manager }: Pick<RouteDeps, 'mcpServers'>): Hono<AppEnv> {
  const { store } = manager;
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/mcp/servers',
      resource: 'mcp-server',
      summary: "List the workspace's MCP servers and their connection status",
      tags: ['mcp'],
      action: 'mcp.read',
      responses: { 200: { description: 'The servers', schema: mcpServerListSchema } },
    },
    async (c) => {
      const servers = await listMcpServers(store, c.get('principal').workspaceId);
      return c.json({
        servers: servers.map((server) => ({ ...server, connection: manager.status(server.id) })),
      });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/mcp/servers',
      resource: 'mcp-server',
      summary: 'Register an MCP server (credentials are sealed, never returned)',
      tags: ['mcp'],
      action: 'mcp.manage',
      body: mcpServerInputSchema,
      responses: { 201: { description: 'The server', schema: mcpServerBodySchema } },
    },
    async (c, { body: input }) => {
      const server = await createMcpServer(store, manager.secretBox(), c.get('principal').workspaceId, input);
      return c.json({ server }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/mcp/servers/:id',
      resource: 'mcp-server',
      summary: 'Remove an MCP server',
      tags: ['mcp'],
      action: 'mcp.manage',
      responses: { 200: { description: 'The removed server', schema: mcpServerBodySchema } },
    },
    async (c, { params }) => {
      const server = await deleteMcpServer(store, c.get('principal').workspaceId, params.id);
      await manager.forget(server.id);
      return c.json({ server });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/mcp/servers/:id/tools',
      resource: 'mcp-server',
      summary: "An MCP server's tools as agents see them",
      tags: ['mcp'],
      action: 'mcp.read',
      responses: { 200: { description: 'The tools', schema: mcpToolListSchema } },
    },
    async (c, { params }) => {
      const spec = await loadMcpServerSpec(
        store,
        manager.secretBox(),
        c.get('principal').workspaceId,
        params.id,
      );
      const tools = await manager.connection(spec).tools();
      return c.json({
        tools: tools.map((tool) => ({
          name: tool.name,
          /** What an agent's definition grants. */
          qualifiedName: mcpToolName(spec.name, tool.name),
          description: tool.description ?? null,
          inputSchema: tool.inputSchema,
          stakes: toolStakes(spec.toolOverrides[tool.name] ?? {}),
          effect: toolEffect(spec.toolOverrides[tool.name] ?? {}),
          /** Arguments a tainted run needs approval to fill outside the egress allowlist. */
          destinations: mcpToolDestinations(tool, spec.toolOverrides[tool.name]),
          /** Its output does not taint a run (an operator's label). */
          trustedOutput: spec.toolOverrides[tool.name]?.trustedOutput === true,
          trustedFields: spec.toolOverrides[tool.name]?.trustedFields ?? [],
          argumentRoles: spec.toolOverrides[tool.name]?.argumentRoles ?? {},
          /** The arguments whose values must come from trusted sources in a tainted run (null: all). */
          securityArguments: mcpSecurityArguments(spec.toolOverrides[tool.name]) ?? null,
          idempotent: false,
        })),
      });
    },
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/mcp/servers/:id/tools/:tool',
      resource: 'mcp-server',
      summary: 'Label a tool: stakes, effect, trusted output, destination arguments, argument roles',
      tags: ['mcp'],
      action: 'mcp.manage',
      body: overrideBody,
      responses: { 200: { description: 'The server', schema: mcpServerBodySchema } },
    },
    async (c, { params, body: override }) => {
      const named = [...(override.destinations ?? []), ...Object.keys(override.argumentRoles ?? {})];
      if (named.length > 0) {
        // Checked against the tool's schema as the server lists it now.
        const spec = await loadMcpServerSpec(
          store,
          manager.secretBox(),
          c.get('principal').workspaceId,
          params.id,
        );
        const tool = (await manager.connection(spec).tools()).find((t) => t.name === params.tool);
        if (tool === undefined) {
          throw new AgentOsError(
            'resource.not_found',
            `The MCP server "${spec.name}" has no tool "${params.tool}"`,
          );
        }
        assertToolArguments(spec.name, tool, named);
      }
      const server = await setToolOverride(
        store,
        c.get('principal').workspaceId,
        params.id,
        params.tool,
        override,
      );
      return c.json({ server });
    },
  );
  return api;
}
