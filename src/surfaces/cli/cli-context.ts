import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { loadConfig } from '../../core/config/load-config.ts';
import { openStore } from '../../core/store/open-store.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { serverHoldingStore, storeHeldError } from './beside-server.ts';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export function configFrom(options: GlobalOptions): AgentOsConfig {
  return loadConfig(options.config === undefined ? {} : { configPath: options.config });
}

/**
 * Opens the configured store for one command and always closes it. While `agentos serve` holds the embedded
 * store it refuses up front, naming the server whose API does the same.
 */
export async function withStore<T>(config: AgentOsConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const server = serverHoldingStore(config);
  if (server !== undefined) {
    throw storeHeldError(
      server,
      'This command',
      `stop serve first, or do it through the API at ${server.url}/api (the console's Settings, or ${server.url}/api/openapi.json)`,
    );
  }
  const store = await openStore({ databaseUrl: config.databaseUrl, home: config.home });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
