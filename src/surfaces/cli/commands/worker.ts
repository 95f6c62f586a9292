import type { Command } from 'commander';
import { startAgentOs } from '../../../runtime/start-agent-os.ts';
import { configFrom, type GlobalOptions } from '../cli-context.ts';
import { emit, UsageError } from '../output.ts';
import { waitForSignal } from '../wait-for-signal.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run only a worker: claim runs from the store and drive them (scale out on PostgreSQL)')
    .option('--concurrency <n>', 'runs driven at once (default: config worker.concurrency)')
    .option('--json', 'print machine-readable lines')
    .action(async (options: GlobalOptions & { concurrency?: string }) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      if (options.concurrency !== undefined) {
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
          throw new UsageError('--concurrency must be an integer from 1 to 10000');
        }
        config.worker.concurrency = concurrency;
      }
      const agentOs = await startAgentOs(config, { roles: ['worker'] });
      const id = agentOs.worker?.id ?? '';
      emit(
        options,
        { event: 'working', workerId: id, store: agentOs.store.kind, concurrency: config.worker.concurrency },
        () =>
          `Worker ${id} claiming runs (store: ${agentOs.store.kind}, concurrency ${config.worker.concurrency})`,
      );
      const signal = await waitForSignal();
      emit(options, { event: 'stopping', signal }, () => `Received ${signal}: handing in-flight runs back…`);
      await agentOs.stop();
      emit(options, { event: 'stopped' }, () => 'Stopped.');
    });
}
