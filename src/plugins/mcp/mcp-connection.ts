import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  type ListResourcesResult,
  McpError,
  type ReadResourceResult,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { redactBytes, redactText, redactValue } from '../../core/secrets/redact.ts';
import type { McpServerSpec } from './mcp-server-repo.ts';

export interface McpConnectionOptions {
  clientVersion: string;
  /** Spawning (or reaching) the server and the MCP handshake. */
  connectTimeoutMs: number;
  /** Backstop for one tools/list or tools/call; the kernel's per-call timeout usually ends it first. */
  callTimeoutMs: number;
  log: (message: string) => void;
}

export type McpConnectionState = 'idle' | 'connecting' | 'connected' | 'closed';

const STDERR_TAIL_CHARS = 2_000;
const MAX_LISTED_TOOLS = 1_000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Every credential value of a server, and the token inside `Bearer <token>`-style values. */
function secretValuesOf(spec: McpServerSpec): string[] {
  const values = [...Object.values(spec.env), ...Object.values(spec.headers)];
  const parts = values.flatMap((value) => value.split(/\s+/).filter((part) => part.length >= 8));
  return [...new Set([...values, ...parts])].sort((a, b) => b.length - a.length);
}

/**
 * One client for one MCP server. It connects on first use, caches tools/list until the server says
 * `notifications/tools/list_changed`, and after the server process dies the next use starts it again.
 * Every message that leaves it has the server's credentials redacted.
 */
export class McpConnection {
  readonly spec: McpServerSpec;
  readonly #options: McpConnectionOptions;
  readonly #secrets: string[];
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #tools: Tool[] | undefined;
  #pid: number | null = null;
  #stderrTail = '';
  #closed = false;

  constructor(spec: McpServerSpec, options: McpConnectionOptions) {
    this.spec = spec;
    this.#options = options;
    this.#secrets = secretValuesOf(spec);
  }

  get state(): McpConnectionState {
    if (this.#closed) return 'closed';
    if (this.#client !== undefined) return 'connected';
    return this.#connecting === undefined ? 'idle' : 'connecting';
  }

  /** The server's process id while a stdio server runs here. */
  get pid(): number | null {
    return this.#pid;
  }

  redact(text: string): string {
    return redactText(text, this.#secrets);
  }

  redactOutput(value: unknown): unknown {
    return redactValue(value, this.#secrets);
  }

  redactBytes(bytes: Uint8Array): Uint8Array {
    return redactBytes(bytes, this.#secrets);
  }

  async tools(): Promise<Tool[]> {
    const client = await this.#connect();
    if (this.#tools !== undefined) return this.#tools;
    const tools: Tool[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await client.listTools(cursor === undefined ? undefined : { cursor }, {
          timeout: this.#options.callTimeoutMs,
        });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined && tools.length < MAX_LISTED_TOOLS);
    } catch (error) {
      throw this.#failure(error, 'listing its tools', client);
    }
    if (this.#client === client) this.#tools = tools;
    return tools;
  }

  /** tools/call; the server's own error results come back as `isError: true`, not as a throw. */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = await this.#connect();
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        signal,
        timeout: this.#options.callTimeoutMs,
      });
      const parsed = CallToolResultSchema.safeParse(result);
      // A server on the 2024-10 protocol answers {toolResult}: pass it on as text.
      return parsed.success ? parsed.data : { content: [{ type: 'text', text: JSON.stringify(result) }] };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.#failure(error, `calling "${name}"`, client);
    }
  }

  /** One page of resources/list; a server that does not offer resources is an error. */
  async listResources(cursor: string | undefined, signal: AbortSignal): Promise<ListResourcesResult> {
    const client = await this.#connect();
    if (client.getServerCapabilities()?.resources === undefined) {
      throw new AgentOsError('mcp.unavailable', `MCP server "${this.spec.name}" offers no resources`);
    }
    try {
      return await client.listResources(cursor === undefined ? undefined : { cursor }, {
        signal,
        timeout: this.#options.callTimeoutMs,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.#failure(error, 'listing its resources', client);
    }
  }

  /** resources/read of one URI. */
  async readResource(uri: string, signal: AbortSignal): Promise<ReadResourceResult> {
    const client = await this.#connect();
    try {
      return await client.readResource({ uri }, { signal, timeout: this.#options.callTimeoutMs });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.#failure(error, `reading the resource ${uri}`, client);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.close().catch(() => undefined);
  }

  #connect(): Promise<Client> {
    if (this.#client !== undefined) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<Client> {
    const { name } = this.spec;
    if (this.#closed) throw new AgentOsError('mcp.unavailable', `MCP server "${name}" is shut down`);
    this.#stderrTail = '';
    const transport = this.#transport();
    const client = new Client(
      { name: 'agent-os', version: this.#options.clientVersion },
      { capabilities: {} },
    );
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (this.#client === client) this.#tools = undefined;
    });
    client.onclose = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#tools = undefined;
      this.#pid = null;
      this.#options.log(`mcp: server "${name}" (${this.spec.id}) disconnected; the next call reconnects`);
    };
    try {
      await client.connect(transport, { timeout: this.#options.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.#failure(error, 'starting', undefined);
    }
    if (this.#closed) {
      await client.close().catch(() => undefined);
      throw new AgentOsError('mcp.unavailable', `MCP server "${name}" is shut down`);
    }
    this.#client = client;
    this.#pid = transport instanceof StdioClientTransport ? transport.pid : null;
    return client;
  }

  #transport(): Transport {
    const { spec } = this;
    if (spec.transport === 'http') {
      return new StreamableHTTPClientTransport(new URL(spec.url ?? ''), {
        requestInit: { headers: spec.headers },
      });
    }
    const transport = new StdioClientTransport({
      command: spec.command ?? '',
      args: spec.args,
      env: spec.env,
      // Never inherited: a server may print its configuration, credentials included.
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer | string) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    return transport;
  }

  /** A failure as a clear, credential-free error; a lost connection is dropped so the next use reconnects. */
  #failure(error: unknown, doing: string, client: Client | undefined): AgentOsError {
    const { name } = this.spec;
    const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
    const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
    if (closed && client !== undefined && this.#client === client) {
      this.#client = undefined;
      this.#tools = undefined;
      this.#pid = null;
    }
    const stderr = this.#stderrTail.trim().split('\n').slice(-3).join(' | ');
    const what = closed
      ? `closed the connection while ${doing} (its process exited or the connection dropped); the next call reconnects`
      : timedOut
        ? `did not answer in time while ${doing}`
        : `failed while ${doing}: ${messageOf(error)}`;
    const detail = (closed || client === undefined) && stderr !== '' ? ` Last stderr: ${stderr}` : '';
    const message = this.redact(`MCP server "${name}" ${what}.${detail}`);
    this.#options.log(`mcp: ${message}`);
    return new AgentOsError('mcp.unavailable', message, { server: name });
  }
}
