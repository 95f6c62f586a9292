import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { type MigrationStatus, migrationStatus } from '../../core/store/migrate.ts';
import { openStore, redactUrl } from '../../core/store/open-store.ts';
import type { ServerRecord } from '../../core/store/server-record.ts';
import { call } from '../client/agent-os-client.ts';
import { apiClientFrom, messageOf } from './api-client.ts';
import type { DoctorCheck } from './doctor-check.ts';

function migrationsCheck(status: MigrationStatus): DoctorCheck {
  return {
    name: 'migrations',
    ok: status.pending.length === 0 && status.databaseVersion <= status.codeVersion,
    detail:
      status.databaseVersion > status.codeVersion
        ? `database schema ${status.databaseVersion} is newer than this code (${status.codeVersion})`
        : status.pending.length === 0
          ? `current (version ${status.databaseVersion})`
          : `pending: ${status.pending.join(', ')} (run "agentos migrate")`,
  };
}

/** The store and its schema, opened directly (PostgreSQL, or an embedded store no server holds). */
export async function directStoreChecks(config: AgentOsConfig): Promise<DoctorCheck[]> {
  const where = config.databaseUrl
    ? `postgres ${redactUrl(config.databaseUrl)}`
    : `pglite ${config.home}/pgdata`;
  try {
    const store = await openStore({ databaseUrl: config.databaseUrl, home: config.home }, { migrate: false });
    try {
      return [
        { name: 'store', ok: true, detail: `reachable: ${where}` },
        migrationsCheck(await migrationStatus(store)),
      ];
    } finally {
      await store.close();
    }
  } catch (error) {
    return [{ name: 'store', ok: false, detail: `${where}: ${(error as Error).message}` }];
  }
}

/**
 * The embedded store while `agentos serve` holds it: asked through that server's `GET /api/health/store`
 * (public, so no key is needed), the schema as the server sees it.
 */
export async function storeChecksThrough(
  server: ServerRecord,
  config: AgentOsConfig,
): Promise<DoctorCheck[]> {
  const held = `held by "agentos serve" (pid ${server.pid}) at ${server.url}`;
  try {
    const client = apiClientFrom({ url: server.url }, config);
    const health = await call(client.GET('/api/health/store'));
    return [
      { name: 'store', ok: true, detail: `reachable: ${health.store} ${config.home}/pgdata, ${held}` },
      migrationsCheck(health.schema),
    ];
  } catch (error) {
    return [
      { name: 'store', ok: false, detail: `pglite ${config.home}/pgdata ${held}: ${messageOf(error)}` },
    ];
  }
}
