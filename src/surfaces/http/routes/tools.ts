import { Hono } from 'hono';
import { z } from 'zod';
import { TOOL_EFFECTS, TOOL_STAKES } from '../../../core/tools/tool.ts';
import { noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const toolsAnswer = z
  .object({
    tools: z.array(
      z.object({
        name: z.string().meta({ description: "What an agent's `tools` grants" }),
        description: z.string(),
        stakes: z.enum(TOOL_STAKES as [string, ...string[]]),
        effect: z.enum(TOOL_EFFECTS as [string, ...string[]]),
        origin: z.string().meta({ description: "`built-in`, or `mcp:<server>` for an MCP server's tool" }),
      }),
    ),
    unlisted: z.array(z.object({ prefix: z.string(), origin: z.string(), message: z.string() })).meta({
      description:
        'Sources that did not answer (an MCP server down): names `<prefix>__<tool>` are accepted unchecked',
    }),
  })
  .meta({ id: 'ToolCatalogue' });

/** `GET /api/tools`: every tool an agent of the caller's workspace could be granted, for builders' pickers (`mcp.read`). */
export function toolRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/tools',
      resource: 'workspace',
      summary: "The tools agents can be granted: this process's own and the workspace's MCP servers'",
      tags: ['agents'],
      // Builders' reading: the MCP tools carry their servers' names, which plain users are not shown.
      action: 'mcp.read',
      query: noQuery,
      responses: { 200: { description: 'The tool catalogue', schema: toolsAnswer } },
    },
    async (c) => c.json(await kernel.tools.catalogue(c.get('principal').workspaceId)),
  );
  return api;
}
