import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { migrate } from '../../src/core/store/migrate.ts';
import { PgliteStore } from '../../src/core/store/pglite-store.ts';
import { PostgresStore } from '../../src/core/store/postgres-store.ts';
import type { Store, StoreKind } from '../../src/core/store/sql-client.ts';
import { createTestDatabase } from '../../test/support/test-stores.ts';

export interface BenchStore {
  store: Store;
  workspaceId: string;
  /** Closes the store and, on PostgreSQL, drops the fresh database. */
  close(): Promise<void>;
}

/** An in-memory PGlite, or a fresh PostgreSQL database next to DATABASE_URL's; migrated, with one workspace. */
export async function openBenchStore(kind: StoreKind): Promise<BenchStore> {
  let store: Store;
  let drop = async () => {};
  if (kind === 'postgres') {
    const baseUrl = process.env.DATABASE_URL;
    if (baseUrl === undefined || baseUrl === '') throw new Error('--store postgres needs DATABASE_URL');
    const database = await createTestDatabase(baseUrl);
    store = await PostgresStore.open(database.url);
    drop = database.drop;
  } else {
    store = await PgliteStore.open(undefined);
  }
  await migrate(store);
  const workspace = await createWorkspace(store, 'memory-bench');
  return {
    store,
    workspaceId: workspace.id,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/** The p-th percentile (0–100) of the samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
