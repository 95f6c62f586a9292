import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/core/store/migrate.ts';
import { PgliteStore } from '../../src/core/store/pglite-store.ts';
import { PostgresStore } from '../../src/core/store/postgres-store.ts';
import type { Store, StoreKind } from '../../src/core/store/sql-client.ts';

/** PostgreSQL for tests: TEST_DATABASE_URL, else DATABASE_URL; absent means PGlite only. */
export const testDatabaseUrl: string | undefined =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one test file, dropped afterwards. */
export async function createTestDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `agentos_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface StoreTarget {
  kind: StoreKind;
  /** A fresh store with the schema applied (unless `migrated: false`); closing it also discards its data. */
  open(options?: { migrated?: boolean }): Promise<Store>;
}

const pgliteTarget: StoreTarget = {
  kind: 'pglite',
  open: async (options) => {
    const store = await PgliteStore.open(undefined);
    if (options?.migrated !== false) await migrate(store);
    return store;
  },
};

function postgresTarget(baseUrl: string): StoreTarget {
  return {
    kind: 'postgres',
    open: async (options) => {
      const database = await createTestDatabase(baseUrl);
      const store = await PostgresStore.open(database.url);
      if (options?.migrated !== false) await migrate(store);
      const close = store.close.bind(store);
      return Object.assign(store, {
        close: async () => {
          await close();
          await database.drop();
        },
      });
    },
  };
}

/** Every store the suites must pass on: PGlite always, PostgreSQL when a URL is configured. */
export function storeTargets(): StoreTarget[] {
  return testDatabaseUrl === undefined ? [pgliteTarget] : [pgliteTarget, postgresTarget(testDatabaseUrl)];
}
