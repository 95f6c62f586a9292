import type { Command } from 'commander';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table } from '../output.ts';

type SchedulerView = ApiSchemas['SchedulerStatus'];

const fetchView = (client: CliClient) => call(client.GET('/api/scheduler'));

function render(view: SchedulerView): string {
  const rows = view.members.flatMap((member) =>
    member.lanes.map((lane) => ({
      worker: member.memberId,
      lane: lane.lane,
      inFlight: `${lane.inFlight}/${lane.limits.concurrency}`,
      interactive: lane.queued.interactive,
      standard: lane.queued.standard,
      background: lane.queued.background,
      rpm: lane.limits.rpm === null ? `${lane.windowRequests}` : `${lane.windowRequests}/${lane.limits.rpm}`,
      '429s': lane.rateLimited,
      avgWaitMs: lane.avgWaitMs,
      maxWaitMs: lane.maxWaitMs,
      paused: lane.pausedForMs > 0 ? `${lane.pausedForMs}ms` : '',
    })),
  );
  return [
    `Agent OS scheduler — ${view.at} — runs: ${view.runs.running} running, ${view.runs.queued} queued, ${view.runs.paused} paused; ${view.members.length} worker(s)`,
    '',
    table(rows, [
      'worker',
      'lane',
      'inFlight',
      'interactive',
      'standard',
      'background',
      'rpm',
      '429s',
      'avgWaitMs',
      'maxWaitMs',
      'paused',
    ]),
  ].join('\n');
}

export function registerTop(program: Command): void {
  withClientFlags(
    program
      .command('top')
      .description('Live view of the LLM scheduler: queues, waits, in-flight calls and 429s per provider')
      .option('--once', 'print one snapshot and exit'),
  ).action(async (options: ClientOptions & { once?: boolean }) => {
    const client = clientFor(program, options);
    if (options.json || options.once) {
      const view = await fetchView(client);
      emit(options, view, () => render(view));
      return;
    }
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    while (!stop.signal.aborted) {
      const view = await fetchView(client);
      process.stdout.write(`\x1b[2J\x1b[H${render(view)}\n\n(refreshing every second; Ctrl-C to quit)\n`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  });
}
