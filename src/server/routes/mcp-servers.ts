import type { Hono } from 'hono';
import type { McpConnectionManager } from '../../mcp/mcp-connection-manager.ts';
import {
  createMcpServer,
  deleteMcpServer,
  listMcpServers,
  loadMcpServerSpec,
  mcpServerInputSchema,
  setToolOverride,
  toolOverrideSchema,
} from '../../mcp/mcp-server-repo.ts';
import { qualifiedToolName } from '../../mcp/mcp-tools.ts';
import { toolEffect, toolStakes } from '../../tools/tool.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson } from '../validate.ts';

const overrideBody = toolOverrideSchema.refine((o) => o.stakes !== undefined || o.effect !== undefined, {
  message: 'send stakes, effect or both',
});

/** Admins register a workspace's MCP servers; credentials go in and never come back out (names only). */
export function mcpServerRoutes(manager: McpConnectionManager): (api: Hono<AppEnv>) => void {
  const { store } = manager;
  return (api) => {
    api.get('/mcp/servers', authorizeAction('mcp.read'), async (c) => {
      const servers = await listMcpServers(store, c.get('principal').workspaceId);
      return c.json({
        servers: servers.map((server) => ({ ...server, connection: manager.status(server.id) })),
      });
    });

    api.post('/mcp/servers', authorizeAction('mcp.manage'), async (c) => {
      const input = await readJson(c, mcpServerInputSchema);
      const server = await createMcpServer(store, manager.secretBox(), c.get('principal').workspaceId, input);
      return c.json({ server }, 201);
    });

    api.delete('/mcp/servers/:id', authorizeAction('mcp.manage'), async (c) => {
      const server = await deleteMcpServer(store, c.get('principal').workspaceId, c.req.param('id'));
      await manager.forget(server.id);
      return c.json({ server });
    });

    api.get('/mcp/servers/:id/tools', authorizeAction('mcp.read'), async (c) => {
      const spec = await loadMcpServerSpec(
        store,
        manager.secretBox(),
        c.get('principal').workspaceId,
        c.req.param('id'),
      );
      const tools = await manager.connection(spec).tools();
      return c.json({
        tools: tools.map((tool) => ({
          name: tool.name,
          /** What an agent's definition grants. */
          qualifiedName: qualifiedToolName(spec.name, tool.name),
          description: tool.description ?? null,
          inputSchema: tool.inputSchema,
          stakes: toolStakes(spec.toolOverrides[tool.name] ?? {}),
          effect: toolEffect(spec.toolOverrides[tool.name] ?? {}),
          idempotent: false,
        })),
      });
    });

    api.patch('/mcp/servers/:id/tools/:tool', authorizeAction('mcp.manage'), async (c) => {
      const override = await readJson(c, overrideBody);
      const server = await setToolOverride(
        store,
        c.get('principal').workspaceId,
        c.req.param('id'),
        c.req.param('tool'),
        override,
      );
      return c.json({ server });
    });
  };
}
