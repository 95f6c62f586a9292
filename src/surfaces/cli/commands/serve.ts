import type { Command } from 'commander';
import { embeddedDataDir, recordServer } from '../../../core/store/server-record.ts';
import { startAgentOs } from '../../../runtime/start-agent-os.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { emit } from '../output.ts';
import { waitForSignal } from '../wait-for-signal.ts';

/**
 * On the embedded store this process holds the data directory: CLI commands beside it ask this server.
 * Failing to say so only costs them that (they refuse as the lock makes them), so it does not stop serve.
 */
function recordWhereListening(home: string, url: string): () => void {
  try {
    return recordServer(embeddedDataDir(home), url);
  } catch (error) {
    process.stderr.write(`cannot record the server beside the store: ${(error as Error).message}\n`);
    return () => {};
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the API, console and a worker in one process')
    .option('--json', 'print machine-readable lines')
    .action(async (options: GlobalOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const agentOs = await startAgentOs(config, { roles: ['api', 'worker'] });
      const store = agentOs.store.kind;
      const url = agentOs.http?.url ?? '';
      const forget = config.databaseUrl ? () => {} : recordWhereListening(config.home, url);
      if (agentOs.firstStart.created) {
        const { apiKey, keyFile } = agentOs.firstStart;
        emit(options, { event: 'first_start', apiKey, keyFile }, () =>
          [
            'First start: created workspace "default" and an admin user.',
            `Admin API key (shown once; also saved to ${keyFile}):`,
            `  ${apiKey}`,
          ].join('\n'),
        );
      }
      emit(
        options,
        { event: 'listening', url, store },
        () => `Agent OS listening on ${url} (store: ${store})`,
      );
      const signal = await waitForSignal();
      emit(options, { event: 'stopping', signal }, () => `Received ${signal}, finishing in-flight work…`);
      forget();
      await agentOs.stop();
      emit(options, { event: 'stopped' }, () => 'Stopped.');
    });
}
