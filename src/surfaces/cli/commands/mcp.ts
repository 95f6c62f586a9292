import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { startAgentOs } from '../../../runtime/start-agent-os.ts';
import { AGENT_OS_VERSION } from '../../../runtime/version.ts';
import { AgentOsMcpServer } from '../../http/agent-os-mcp-server.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { bridgeToServerHoldingStore } from '../mcp-bridge.ts';
import { waitForSignal } from '../wait-for-signal.ts';
import { resolveMember, resolveWorkspace } from './admin-scope.ts';
import { registerMcpServerCommands } from './mcp-servers.ts';
import { registerMcpToolCommands } from './mcp-tools.ts';

const AGENT_SYNC_MS = 5_000;

interface McpOptions extends GlobalOptions {
  workspace?: string;
  user?: string;
  worker: boolean;
  apiKey?: string;
}

/** Resolves when the MCP client closes our stdin (it went away). */
function stdinClosed(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('close', () => resolve('stdin closed'));
  });
}

/**
 * Bare `agentos mcp` serves Agent OS over MCP stdio; its subcommands manage the MCP servers Agent OS uses
 * as tool sources, through the HTTP API.
 */
export function registerMcp(program: Command): void {
  const mcp = program
    .command('mcp')
    .description(
      'Serve Agent OS as an MCP server on stdio (each agent is a tool agent_<name>, plus search_memory); ' +
        'with a subcommand, manage the MCP servers agents use',
    )
    .option('--workspace <idOrName>', 'the workspace whose agents are offered (default: the first)')
    .option('--user <email>', 'the member runs are recorded for (default: the workspace admin)')
    .option('--no-worker', 'only submit runs; other worker processes drive them (PostgreSQL)')
    .option(
      '--api-key <key>',
      'beside a running serve on the embedded store: the key whose member the bridge acts as',
    )
    .action(async (options: McpOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      // stdout carries the protocol: everything for people goes to stderr.
      const log = (message: string) => process.stderr.write(`${message}\n`);
      if (await bridgeToServerHoldingStore(config, options, log)) return;
      const agentOs = await startAgentOs(config, { roles: options.worker ? ['worker'] : [], log });
      try {
        const workspace = await resolveWorkspace(agentOs.store, options.workspace);
        const userId = await resolveMember(agentOs.store, workspace.id, options.user);
        const mcp = new AgentOsMcpServer(
          agentOs.kernel,
          { workspaceId: workspace.id, userId },
          { version: AGENT_OS_VERSION },
        );
        await mcp.syncAgents();
        const ended = stdinClosed();
        await mcp.server.connect(new StdioServerTransport());
        const sync = setInterval(() => {
          mcp.syncAgents().catch((error: unknown) => log(`mcp: cannot list agents: ${String(error)}`));
        }, AGENT_SYNC_MS);
        log(`Agent OS MCP server on stdio (workspace "${workspace.name}", store: ${agentOs.store.kind})`);
        const reason = await Promise.race([ended, waitForSignal()]);
        log(`${reason}: stopping…`);
        clearInterval(sync);
        await mcp.server.close();
      } finally {
        await agentOs.stop();
      }
    });
  registerMcpServerCommands(mcp, program);
  registerMcpToolCommands(mcp, program);
}
