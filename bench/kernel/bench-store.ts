// A fresh, migrated store for one benchmark process: durable PGlite in a temp home, or a new PostgreSQL database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/sql-client.ts';

export type BenchStoreKind = 'pglite' | 'postgres';

export interface BenchStore {
  store: Store;
  /** Closes the store and discards its data. */
  close(): Promise<void>;
}

async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function openBenchStore(kind: BenchStoreKind): Promise<BenchStore> {
  if (kind === 'pglite') {
    const home = mkdtempSync(join(tmpdir(), 'agentos-bench-'));
    const store = await openStore({ home });
    return {
      store,
      close: async () => {
        await store.close();
        rmSync(home, { recursive: true, force: true });
      },
    };
  }
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl === undefined || baseUrl === '') throw new Error('--store postgres needs DATABASE_URL');
  const name = `agentos_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return {
    store,
    close: async () => {
      await store.close();
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
