// A fresh, migrated store for one benchmark process: durable PGlite in a temp home, or a new PostgreSQL database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/core/store/open-store.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { createTestDatabase } from '../../test/support/test-stores.ts';

export type BenchStoreKind = 'pglite' | 'postgres';

export interface BenchStore {
  store: Store;
  /** The database other processes can open (PostgreSQL only). */
  databaseUrl: string | null;
  /** Closes the store and discards its data. */
  close(): Promise<void>;
}

export async function openBenchStore(kind: BenchStoreKind): Promise<BenchStore> {
  if (kind === 'pglite') {
    const home = mkdtempSync(join(tmpdir(), 'agentos-bench-'));
    const store = await openStore({ home });
    return {
      store,
      databaseUrl: null,
      close: async () => {
        await store.close();
        rmSync(home, { recursive: true, force: true });
      },
    };
  }
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl === undefined || baseUrl === '') throw new Error('--store postgres needs DATABASE_URL');
  const database = await createTestDatabase(baseUrl);
  const store = await openStore({ databaseUrl: database.url });
  return {
    store,
    databaseUrl: database.url,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
