import { loadSecretBox, type SecretBox } from '../../core/secrets/secret-box.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { McpConnection, type McpConnectionOptions, type McpConnectionState } from './mcp-connection.ts';
import type { McpServerSpec } from './mcp-server-repo.ts';

export interface McpConnectionStatus {
  state: McpConnectionState;
  /** The stdio server's process id in this Agent OS process, while it runs. */
  pid: number | null;
}

export interface McpConnectionManagerOptions extends Partial<McpConnectionOptions> {
  /** Where `secret.key` lives when AGENTOS_SECRET_KEY is not set. */
  home: string;
}

/** One MCP client per registered server in this process, opened lazily, closed on stop or delete. */
export class McpConnectionManager {
  readonly store: SqlClient;
  readonly #home: string;
  readonly #options: McpConnectionOptions;
  readonly #connections = new Map<string, McpConnection>();
  #box: SecretBox | undefined;
  #closed = false;

  constructor(store: SqlClient, options: McpConnectionManagerOptions) {
    this.store = store;
    this.#home = options.home;
    this.#options = {
      clientVersion: options.clientVersion ?? '0.0.0',
      connectTimeoutMs: options.connectTimeoutMs ?? 20_000,
      callTimeoutMs: options.callTimeoutMs ?? 600_000,
      log: options.log ?? (() => {}),
    };
  }

  /** The key that seals server credentials, loaded (or created) on first use. */
  secretBox(): SecretBox {
    this.#box ??= loadSecretBox(this.#home);
    return this.#box;
  }

  connection(spec: McpServerSpec): McpConnection {
    const existing = this.#connections.get(spec.id);
    if (existing !== undefined && existing.state !== 'closed') return existing;
    const connection = new McpConnection(spec, this.#options);
    if (this.#closed) void connection.close();
    else this.#connections.set(spec.id, connection);
    return connection;
  }

  status(serverId: string): McpConnectionStatus {
    const connection = this.#connections.get(serverId);
    return { state: connection?.state ?? 'idle', pid: connection?.pid ?? null };
  }

  /** Closes the server's client here (after a delete); other processes drop theirs when they stop. */
  async forget(serverId: string): Promise<void> {
    const connection = this.#connections.get(serverId);
    this.#connections.delete(serverId);
    await connection?.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(connections.map((connection) => connection.close()));
  }
}
