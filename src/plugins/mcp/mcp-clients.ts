import type { SqlClient } from '../../core/store/sql-client.ts';
import type { ToolRegistry } from '../../core/tools/tool-registry.ts';
import { McpConnectionManager } from './mcp-connection-manager.ts';
import { McpToolSource } from './mcp-tools.ts';

export interface McpClients {
  manager: McpConnectionManager;
  /** Detaches the tools from the registry and closes every connection (stdio servers exit). */
  close(): Promise<void>;
}

/** Makes the MCP servers registered in the store available to this process's runs as `<server>__<tool>`. */
export function startMcpClients(
  store: SqlClient,
  tools: ToolRegistry,
  options: { home: string; version: string; log: (message: string) => void },
): McpClients {
  const manager = new McpConnectionManager(store, {
    home: options.home,
    clientVersion: options.version,
    log: options.log,
  });
  const detach = tools.addSource(new McpToolSource(manager, options.log));
  return {
    manager,
    close: async () => {
      detach();
      await manager.close();
    },
  };
}
