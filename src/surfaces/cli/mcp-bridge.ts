import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { ServerRecord } from '../../core/store/server-record.ts';
import { call } from '../client/agent-os-client.ts';
import { apiClientFrom, apiKeyFrom, messageOf } from './api-client.ts';
import { serverHoldingStore } from './beside-server.ts';
import { waitForSignal } from './wait-for-signal.ts';

export interface BridgeOptions {
  apiKey?: string;
  workspace?: string;
  user?: string;
}

// JSON-RPC "internal error": the server could not be asked, so the client's request gets this answer.
const INTERNAL_ERROR = -32603;

/** Resolves when the MCP client closes our stdin (it went away). */
function stdinClosed(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('close', () => resolve('stdin closed'));
  });
}

/**
 * Relays MCP between our stdio and the server's `POST /mcp` (streamable HTTP, stateless): each message from
 * the client is posted with the API key, each answer written back. The server decides everything (the key's
 * member, workspace and policy), so this process opens no store.
 */
async function relay(server: ServerRecord, apiKey: string, log: (message: string) => void): Promise<void> {
  const stdio = new StdioServerTransport();
  const http = new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const initializing = new Set<string | number>();
  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializing.add(message.id);
    http.send(message).catch(async (error: unknown) => {
      log(`mcp bridge: ${server.url}/mcp: ${messageOf(error)}`);
      if (!isJSONRPCRequest(message)) return;
      const why = `Agent OS at ${server.url} did not answer: ${messageOf(error)}`;
      await stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: INTERNAL_ERROR, message: why } });
    });
  };
  http.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = message.result.protocolVersion;
      http.setProtocolVersion(typeof version === 'string' ? version : LATEST_PROTOCOL_VERSION);
    }
    stdio.send(message).catch((error: unknown) => log(`mcp bridge: stdout: ${messageOf(error)}`));
  };
  http.onerror = (error) => log(`mcp bridge: ${messageOf(error)}`);
  stdio.onerror = (error) => log(`mcp bridge: stdin: ${messageOf(error)}`);
  const ended = stdinClosed();
  await http.start();
  await stdio.start();
  const reason = await Promise.race([ended, waitForSignal()]);
  log(`${reason}: stopping…`);
  await http.close();
  await stdio.close();
}

/**
 * `agentos mcp` while `agentos serve` holds the embedded store: bridges stdio to that server instead of
 * opening the store (which would be refused). Resolves false when no server holds it (serve MCP here).
 */
export async function bridgeToServerHoldingStore(
  config: AgentOsConfig,
  options: BridgeOptions,
  log: (message: string) => void,
): Promise<boolean> {
  const server = serverHoldingStore(config);
  if (server === undefined) return false;
  const where = `"agentos serve" (pid ${server.pid}, ${server.url}) holds the embedded store`;
  if (options.workspace !== undefined || options.user !== undefined) {
    throw new AgentOsError(
      'request.invalid',
      `${where}, so "agentos mcp" acts as the API key's member in its workspace: drop --workspace and --user ` +
        "and pass that member's key with --api-key (or AGENTOS_API_KEY), or stop serve",
    );
  }
  const apiKey = apiKeyFrom(options, config);
  if (apiKey === undefined) {
    throw new AgentOsError(
      'auth.missing',
      `${where}, so "agentos mcp" bridges to its /mcp endpoint, which needs an API key: pass --api-key or set AGENTOS_API_KEY`,
    );
  }
  const me = await call(apiClientFrom({ url: server.url, apiKey }, config).GET('/api/whoami'));
  log(
    `Agent OS MCP server on stdio, bridged to ${server.url}/mcp (workspace "${me.workspace.name}"): ${where}`,
  );
  await relay(server, apiKey, log);
  return true;
}
