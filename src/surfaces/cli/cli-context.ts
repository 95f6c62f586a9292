import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { loadConfig } from '../../core/config/load-config.ts';
import { openStore } from '../../core/store/open-store.ts';
import type { Store } from '../../core/store/sql-client.ts';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export function configFrom(options: GlobalOptions): AgentOsConfig {
  return loadConfig(options.config === undefined ? {} : { configPath: options.config });
}

/** Opens the configured store for one command and always closes it. */
export async function withStore<T>(config: AgentOsConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: config.databaseUrl, home: config.home });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
