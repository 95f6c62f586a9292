import type { Command } from 'commander';
import { migrationStatus } from '../../../core/store/migrate.ts';
import { openStore, redactUrl } from '../../../core/store/open-store.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { emit } from '../output.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check the store, the schema and the configured LLM providers')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions) => {
      const checks: Check[] = [];
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      checks.push({ name: 'config', ok: true, detail: `home ${config.home}` });
      const where = config.databaseUrl
        ? `postgres ${redactUrl(config.databaseUrl)}`
        : `pglite ${config.home}/pgdata`;
      try {
        const store = await openStore(
          { databaseUrl: config.databaseUrl, home: config.home },
          { migrate: false },
        );
        try {
          checks.push({ name: 'store', ok: true, detail: `reachable: ${where}` });
          const status = await migrationStatus(store);
          checks.push({
            name: 'migrations',
            ok: status.pending.length === 0 && status.databaseVersion <= status.codeVersion,
            detail:
              status.databaseVersion > status.codeVersion
                ? `database schema ${status.databaseVersion} is newer than this code (${status.codeVersion})`
                : status.pending.length === 0
                  ? `current (version ${status.databaseVersion})`
                  : `pending: ${status.pending.join(', ')} (run "agentos migrate")`,
          });
        } finally {
          await store.close();
        }
      } catch (error) {
        checks.push({ name: 'store', ok: false, detail: `${where}: ${(error as Error).message}` });
      }
      const providers = [
        ...(config.providers.openai ? ['openai'] : []),
        ...(config.providers.anthropic ? ['anthropic'] : []),
        ...config.providers.compatible.map((p) => `${p.name} (${p.baseURL})`),
      ];
      checks.push({
        name: 'providers',
        ok: providers.length > 0,
        detail:
          providers.length > 0
            ? providers.join(', ')
            : 'none configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_COMPATIBLE_BASE_URL',
      });
      const healthy = checks.every((check) => check.ok || check.name === 'providers');
      emit(options, { healthy, checks }, () =>
        checks
          .map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(11)} ${check.detail}`)
          .join('\n'),
      );
      if (!healthy) process.exitCode = 1;
    });
}
