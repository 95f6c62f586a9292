import { join } from 'node:path';
import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { ADMIN_KEY_FILE } from '../../core/identity/first-start.ts';
import { embeddedDataDir, runningServer, type ServerRecord } from '../../core/store/server-record.ts';
import { type ApiClientOptions, apiClientFrom, apiKeyFrom, type CliClient } from './api-client.ts';

/**
 * The `agentos serve` holding this configuration's embedded store, if one runs: a command that would open
 * the store talks to it instead. PostgreSQL has no such holder (any number of processes share it).
 */
export function serverHoldingStore(config: AgentOsConfig): ServerRecord | undefined {
  if (config.databaseUrl) return undefined;
  return runningServer(embeddedDataDir(config.home));
}

/**
 * A client for the server holding the store, for `what` (e.g. "agentos audit verify"), which needs an admin
 * key there: without one it stops with auth.missing saying so, before any request.
 */
export function adminClientBeside(
  server: ServerRecord,
  options: ApiClientOptions,
  config: AgentOsConfig,
  what: string,
): CliClient {
  const apiKey = apiKeyFrom(options, config);
  if (apiKey === undefined) {
    throw new AgentOsError(
      'auth.missing',
      `${what} goes through the running "agentos serve" (pid ${server.pid}, ${server.url}) because it holds ` +
        `the embedded store, and that needs an admin API key: pass --api-key, set AGENTOS_API_KEY, or restore ` +
        `${join(config.home, ADMIN_KEY_FILE)}`,
    );
  }
  return apiClientFrom({ url: server.url, apiKey }, config);
}

/** For a command that needs the store itself: what to do while a server holds it. */
export function storeHeldError(server: ServerRecord, what: string, instead: string): AgentOsError {
  return new AgentOsError(
    'store.unreachable',
    `${what} needs the embedded store itself, and "agentos serve" (pid ${server.pid}, ${server.url}) holds it: ${instead}`,
    { pid: server.pid, url: server.url },
  );
}
