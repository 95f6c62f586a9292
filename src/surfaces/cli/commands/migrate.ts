import type { Command } from 'commander';
import { type MigrationStatus, migrate, migrationStatus } from '../../../core/store/migrate.ts';
import { openStore } from '../../../core/store/open-store.ts';
import { call } from '../../client/agent-os-client.ts';
import { apiClientFrom } from '../api-client.ts';
import { serverHoldingStore, storeHeldError } from '../beside-server.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { emit } from '../output.ts';

const describeStatus = (status: MigrationStatus): string =>
  `schema version ${status.databaseVersion} of ${status.codeVersion}; pending: ${status.pending.join(', ') || 'none'}`;

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending schema migrations (serve and worker also do this at start)')
    .option('--status', 'only show which migrations are applied and pending')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & { status?: boolean }) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const server = serverHoldingStore(config);
      if (server !== undefined && options.status) {
        const { store, schema } = await call(
          apiClientFrom({ url: server.url }, config).GET('/api/health/store'),
        );
        emit(options, { store, newlyApplied: [], ...schema }, () => describeStatus(schema));
        return;
      }
      if (server !== undefined) {
        throw storeHeldError(
          server,
          'agentos migrate',
          "serve applied every migration it knows when it started; to apply a newer version's, stop it and run " +
            '"agentos migrate" (or start the new version\'s serve, which migrates). "agentos migrate --status" works beside it',
        );
      }
      const store = await openStore(
        { databaseUrl: config.databaseUrl, home: config.home },
        { migrate: false },
      );
      try {
        const applied = options.status ? [] : await migrate(store);
        const status = await migrationStatus(store);
        emit(options, { store: store.kind, newlyApplied: applied, ...status }, () =>
          options.status
            ? describeStatus(status)
            : applied.length === 0
              ? `schema is current (version ${status.databaseVersion})`
              : `applied migrations ${applied.join(', ')}; schema version ${status.databaseVersion}`,
        );
      } finally {
        await store.close();
      }
    });
}
