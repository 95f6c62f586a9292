import { afterEach, describe, expect, it } from 'vitest';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import {
  authenticateApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../src/core/identity/api-keys.ts';
import { createUser, listMembers, setMembership } from '../../src/core/identity/user-repo.ts';
import { createWorkspace, getWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { migrate, migrationStatus } from '../../src/core/store/migrate.ts';
import { migrations } from '../../src/core/store/migrations/index.ts';
import { isUniqueViolation } from '../../src/core/store/pg-errors.ts';
import { PostgresStore } from '../../src/core/store/postgres-store.ts';
import { jsonParam, type Store } from '../../src/core/store/sql-client.ts';
import { createTestDatabase, storeTargets, testDatabaseUrl } from '../support/test-stores.ts';

describe.each(storeTargets())('store conformance on $kind', (target) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('applies every migration once and records it', async () => {
    store = await target.open({ migrated: false });
    const applied = await migrate(store);
    const versions = migrations.map((m) => m.version);
    // Listed in version order, without gaps: the file is the schema's history as people read it.
    expect(versions).toEqual(versions.map((_, index) => index + 1));
    expect(applied).toEqual(versions);
    expect(await migrate(store)).toEqual([]);
    const status = await migrationStatus(store);
    expect(status.pending).toEqual([]);
    expect(status.databaseVersion).toBe(migrations.at(-1)?.version);
  });

  it('refuses a database whose schema is newer than the code, changing nothing', async () => {
    store = await target.open();
    await store.query("INSERT INTO agentos_migrations (version, name) VALUES (9999, 'from-the-future')");
    const error = await migrate(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentOsError);
    expect((error as AgentOsError).code).toBe('store.schema_newer');
    const { rows } = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM agentos_migrations');
    expect(rows[0]?.n).toBe(migrations.length + 1);
  });

  it('rolls back a failed transaction completely', async () => {
    store = await target.open();
    await expect(
      store.transaction(async (tx) => {
        await createWorkspace(tx, 'doomed');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(getWorkspace(store, 'doomed')).rejects.toMatchObject({ code: 'resource.not_found' });
  });

  it('returns the same value types from both drivers', async () => {
    store = await target.open();
    const { rows } = await store.query<{
      n: number;
      big: number;
      at: Date;
      doc: { a: number[] };
      flag: boolean;
    }>('SELECT 7::int AS n, 9007199254740::bigint AS big, now() AS at, $1::jsonb AS doc, true AS flag', [
      jsonParam({ a: [1, 2] }),
    ]);
    expect(rows[0]).toMatchObject({ n: 7, big: 9007199254740, doc: { a: [1, 2] }, flag: true });
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it('reports unique violations the same way', async () => {
    store = await target.open();
    await createWorkspace(store, 'twin');
    await expect(createWorkspace(store, 'twin')).rejects.toMatchObject({ code: 'resource.conflict' });
    const error = await store
      .query("INSERT INTO workspaces (id, name) VALUES ('x', 'twin')")
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('stores members with roles and authenticates keys by hash', async () => {
    store = await target.open();
    const workspace = await createWorkspace(store, 'acme');
    const user = await createUser(store, { email: 'Ada@Example.com', name: 'Ada' });
    await setMembership(store, workspace.id, user.id, 'builder');
    expect((await listMembers(store, workspace.id)).map((m) => [m.email, m.role])).toEqual([
      ['ada@example.com', 'builder'],
    ]);

    const { key, secret } = await createApiKey(store, {
      workspaceId: workspace.id,
      userId: user.id,
      name: 'ci',
    });
    const { rows } = await store.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [
      key.id,
    ]);
    expect(rows[0]?.key_hash).not.toContain(secret);
    expect(await authenticateApiKey(store, secret)).toMatchObject({
      workspaceId: workspace.id,
      role: 'builder',
    });

    await revokeApiKey(store, workspace.id, key.id);
    await expect(authenticateApiKey(store, secret)).rejects.toMatchObject({ code: 'auth.invalid' });
    expect((await listApiKeys(store, workspace.id))[0]?.revokedAt).toBeInstanceOf(Date);
  });
});

describe.runIf(testDatabaseUrl !== undefined)('migrations on PostgreSQL with several processes', () => {
  it('applies each migration exactly once when many start together', async () => {
    const database = await createTestDatabase(testDatabaseUrl!);
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(database.url)));
    try {
      const results = await Promise.all(stores.map((s) => migrate(s)));
      expect(results.flat().sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
      const { rows } = await stores[0]!.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM agentos_migrations',
      );
      expect(rows[0]?.n).toBe(migrations.length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    }
  });
});
