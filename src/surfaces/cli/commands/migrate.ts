import type { Command } from 'commander';
import { migrate, migrationStatus } from '../../../core/store/migrate.ts';
import { openStore } from '../../../core/store/open-store.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { emit } from '../output.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending schema migrations (serve and worker also do this at start)')
    .option('--status', 'only show which migrations are applied and pending')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & { status?: boolean }) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const store = await openStore(
        { databaseUrl: config.databaseUrl, home: config.home },
        { migrate: false },
      );
      try {
        const applied = options.status ? [] : await migrate(store);
        const status = await migrationStatus(store);
        emit(options, { store: store.kind, newlyApplied: applied, ...status }, () =>
          options.status
            ? `schema version ${status.databaseVersion} of ${status.codeVersion}; pending: ${status.pending.join(', ') || 'none'}`
            : applied.length === 0
              ? `schema is current (version ${status.databaseVersion})`
              : `applied migrations ${applied.join(', ')}; schema version ${status.databaseVersion}`,
        );
      } finally {
        await store.close();
      }
    });
}
