import { join } from 'node:path';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { migrate } from './migrate.ts';
import { PgliteStore } from './pglite-store.ts';
import { PostgresStore } from './postgres-store.ts';
import type { Store } from './sql-client.ts';

export interface StoreLocation {
  /** PostgreSQL connection string; when absent the embedded store is used. */
  databaseUrl?: string | undefined;
  /** Agent OS home; the embedded store lives in `<home>/pgdata`. Undefined with no databaseUrl = in memory. */
  home?: string | undefined;
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(
  location: StoreLocation,
  options: { migrate?: boolean } = {},
): Promise<Store> {
  const store = await connect(location);
  if (options.migrate !== false) {
    try {
      await migrate(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

async function connect(location: StoreLocation): Promise<Store> {
  if (location.databaseUrl !== undefined && location.databaseUrl !== '') {
    try {
      return await PostgresStore.open(location.databaseUrl);
    } catch (error) {
      throw new AgentOsError(
        'store.unreachable',
        `Cannot reach PostgreSQL at ${redactUrl(location.databaseUrl)}: ${(error as Error).message}`,
        undefined,
        { cause: error },
      );
    }
  }
  return PgliteStore.open(location.home === undefined ? undefined : join(location.home, 'pgdata'));
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
