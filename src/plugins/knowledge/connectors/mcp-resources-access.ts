import type { ListResourcesResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { SqlClient } from '../../../core/store/sql-client.ts';
import { McpConnectionManager } from '../../mcp/mcp-connection-manager.ts';
import { loadMcpServerSpec } from '../../mcp/mcp-server-repo.ts';

/** The two MCP calls the resources connector makes, against one server. */
export interface McpResourceReader {
  list(cursor: string | undefined, signal: AbortSignal): Promise<ListResourcesResult>;
  read(uri: string, signal: AbortSignal): Promise<ReadResourceResult>;
}

export interface McpResourceSession {
  reader: McpResourceReader;
  /** Removes the server's credentials (env and header values) from text and bytes it serves. */
  redact: { text(text: string): string; bytes(bytes: Uint8Array): Uint8Array };
  /** Called when the listing ends (normally or not). */
  release(): Promise<void>;
}

/** How the connector reaches a server by the name registered in the workspace. */
export interface McpResourceAccess {
  open(server: string): Promise<McpResourceSession>;
}

export interface WorkspaceMcpResourcesOptions {
  /** Where `secret.key` lives (the Agent OS home). */
  home: string;
  version: string;
  /** A process-wide manager to share (its connections stay open); else one is opened per listing. */
  manager?: McpConnectionManager;
  log?: (message: string) => void;
}

/**
 * The workspace's registered MCP servers, reached through the same connection code as MCP tools
 * (credentials unsealed in this process only, redacted from every error and, through the session's
 * `redact`, from everything the connector indexes).
 */
export function workspaceMcpResources(
  store: SqlClient,
  workspaceId: string,
  options: WorkspaceMcpResourcesOptions,
): McpResourceAccess {
  return {
    async open(server) {
      const owned =
        options.manager === undefined
          ? new McpConnectionManager(store, {
              home: options.home,
              clientVersion: options.version,
              ...(options.log === undefined ? {} : { log: options.log }),
            })
          : undefined;
      const manager = options.manager ?? owned!;
      try {
        const connection = manager.connection(
          await loadMcpServerSpec(store, manager.secretBox(), workspaceId, server),
        );
        return {
          reader: {
            list: (cursor, signal) => connection.listResources(cursor, signal),
            read: (uri, signal) => connection.readResource(uri, signal),
          },
          redact: {
            text: (text) => connection.redact(text),
            bytes: (bytes) => connection.redactBytes(bytes),
          },
          release: async () => {
            await owned?.close();
          },
        };
      } catch (error) {
        await owned?.close();
        throw error;
      }
    },
  };
}
