import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { agentResource } from '../../../plugins/policy/cedar/cedar-entities.ts';
import { AgentOsMcpServer } from '../agent-os-mcp-server.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { authenticate } from '../authenticate.ts';

/**
 * `/mcp`: Agent OS as an MCP server over streamable HTTP, behind the same Bearer keys as the API.
 * Stateless: each POST gets a fresh server holding the caller's agents, answered as JSON.
 */
export function mcpEndpointRoutes({ kernel, version }: Pick<RouteDeps, 'kernel' | 'version'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(
    '/mcp',
    authenticate(kernel.store, () => {}),
  );
  app.post('/mcp', async (c) => {
    const principal = c.get('principal');
    const authorizer = c.get('authorizer');
    const mcp = new AgentOsMcpServer(
      kernel,
      {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        mayStart: (agent) => authorizer.assert('runs.start', agentResource(agent)),
        mayPost: () => authorizer.assert('conversations.write'),
      },
      { version },
    );
    await mcp.syncAgents();
    // Without a sessionIdGenerator the transport is stateless.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await mcp.server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await mcp.server.close();
    }
  });
  // No sessions and no server-initiated stream: clients fall back to POST only.
  app.on(['GET', 'DELETE'], '/mcp', () => {
    throw new AgentOsError('method.not_allowed', 'The MCP endpoint is stateless: use POST');
  });
  return app;
}
