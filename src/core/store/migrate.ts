import { AgentOsError } from '../errors/agent-os-error.ts';
import type { Migration } from './migration.ts';
import { migrations as defaultMigrations } from './migrations/index.ts';
import type { SqlClient, Store } from './sql-client.ts';

// Any fixed 64-bit number shared by every Agent OS process; "agentos" in ASCII.
const MIGRATION_LOCK_KEY = '27418239865139315';

export interface MigrationStatus {
  applied: number[];
  pending: number[];
  databaseVersion: number;
  codeVersion: number;
}

async function ensureHistoryTable(tx: SqlClient): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS agentos_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedVersions(tx: SqlClient): Promise<number[]> {
  const { rows } = await tx.query<{ version: number }>(
    'SELECT version FROM agentos_migrations ORDER BY version',
  );
  return rows.map((row) => row.version);
}

function checkNotNewer(applied: number[], known: readonly Migration[]): void {
  const codeVersion = Math.max(0, ...known.map((migration) => migration.version));
  const databaseVersion = applied.at(-1) ?? 0;
  if (databaseVersion > codeVersion) {
    throw new AgentOsError(
      'store.schema_newer',
      `The database schema is at version ${databaseVersion} but this Agent OS only knows up to ${codeVersion}. ` +
        'Upgrade Agent OS before running it against this database.',
      { databaseVersion, codeVersion },
    );
  }
}

/**
 * Applies pending migrations in one transaction under an advisory lock,
 * so several processes starting at once apply each migration exactly once.
 */
export async function migrate(
  store: Store,
  known: readonly Migration[] = defaultMigrations,
): Promise<number[]> {
  return store.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await ensureHistoryTable(tx);
    const applied = await appliedVersions(tx);
    checkNotNewer(applied, known);
    const newlyApplied: number[] = [];
    for (const migration of [...known].sort((a, b) => a.version - b.version)) {
      if (applied.includes(migration.version)) continue;
      await tx.execScript(migration.sql);
      await tx.query('INSERT INTO agentos_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}

export async function migrationStatus(
  store: Store,
  known: readonly Migration[] = defaultMigrations,
): Promise<MigrationStatus> {
  const { rows } = await store.query<{ present: boolean }>(
    "SELECT to_regclass('agentos_migrations') IS NOT NULL AS present",
  );
  const applied = rows[0]?.present ? await appliedVersions(store) : [];
  return {
    applied,
    pending: known.filter((m) => !applied.includes(m.version)).map((m) => m.version),
    databaseVersion: applied.at(-1) ?? 0,
    codeVersion: known.at(-1)?.version ?? 0,
  };
}
