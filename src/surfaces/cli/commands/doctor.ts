import type { Command } from 'commander';
import { serverHoldingStore } from '../beside-server.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import type { DoctorCheck } from '../doctor-check.ts';
import { emit } from '../output.ts';
import { probeProviders } from '../provider-probe.ts';
import { directStoreChecks, storeChecksThrough } from '../store-checks.ts';

const NO_PROVIDER = 'none configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_COMPATIBLE_BASE_URL';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check the store, the schema and each configured LLM provider (exits 1 when one fails)')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const server = serverHoldingStore(config);
      const [storeChecks, providerChecks] = await Promise.all([
        server === undefined ? directStoreChecks(config) : storeChecksThrough(server, config),
        probeProviders(config.providers),
      ]);
      const checks: DoctorCheck[] = [
        { name: 'config', ok: true, detail: `home ${config.home}` },
        ...storeChecks,
        // No provider is not a broken installation (agents cannot run yet), so it does not fail the exit code.
        ...(providerChecks.length === 0
          ? [{ name: 'providers', ok: false, detail: NO_PROVIDER }]
          : providerChecks),
      ];
      const healthy = checks.every((check) => check.ok || check.name === 'providers');
      const width = Math.max(...checks.map((check) => check.name.length));
      emit(options, { healthy, checks, ...(server === undefined ? {} : { server }) }, () =>
        checks
          .map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(width)}  ${check.detail}`)
          .join('\n'),
      );
      if (!healthy) process.exitCode = 1;
    });
}
