import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createWorkspace } from '../../src/identity/workspace-repo.ts';
import { migrate } from '../../src/store/migrate.ts';
import { PgliteStore } from '../../src/store/pglite-store.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import type { Store, StoreKind } from '../../src/store/sql-client.ts';

export interface BenchStore {
  store: Store;
  workspaceId: string;
  /** Closes the store and, on PostgreSQL, drops the fresh database. */
  close(): Promise<void>;
}

async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An in-memory PGlite, or a fresh PostgreSQL database next to DATABASE_URL's; migrated, with one workspace. */
export async function openBenchStore(kind: StoreKind): Promise<BenchStore> {
  let store: Store;
  let drop = async () => {};
  if (kind === 'postgres') {
    const baseUrl = process.env.DATABASE_URL;
    if (baseUrl === undefined || baseUrl === '') throw new Error('--store postgres needs DATABASE_URL');
    const name = `agentos_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    store = await PostgresStore.open(url.toString());
    drop = () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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
