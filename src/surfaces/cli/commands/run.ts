import type { Command } from 'commander';
import { z } from 'zod';
import type { ErrorCode } from '../../../core/errors/agent-os-error.ts';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { readRunEvents, type StreamEvent } from '../event-stream.ts';
import { RunEndedError, UsageError } from '../output.ts';

const prioritySchema = z.enum(['interactive', 'standard', 'background']);

interface RunOptions extends ClientOptions {
  priority: string;
}

/** Follows a run's events to its end, reconnecting after the last event seen if the stream breaks. */
async function follow(
  client: CliClient,
  runId: string,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  let lastId = '0';
  let finished = false;
  for (let attempt = 0; !finished; attempt++) {
    try {
      await readRunEvents(client, runId, lastId, (event) => {
        if (event.id !== undefined) lastId = event.id;
        if (event.event === 'run.finished' || event.event === 'run.paused') finished = true;
        onEvent(event);
      });
      finished = true;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

/** The error a run ended with, as its record holds it (`model.unknown_provider`, not a generic code). */
function runEnded(run: ApiSchemas['Run']): RunEndedError {
  const ended = `run ${run.id} ended ${run.status}`;
  if (run.error === null) {
    return new RunEndedError(run.status === 'cancelled' ? 'run.cancelled' : 'internal', ended);
  }
  // A run records the code its failure carried; a newer server's unknown code still prints as it is.
  return new RunEndedError(run.error.code as ErrorCode, `${ended}: ${run.error.message}`, run.error.details);
}

export function registerRun(program: Command): void {
  withClientFlags(
    program
      .command('run <agent> <task>')
      .description('Start a run and stream its answer')
      .option('--priority <class>', 'interactive | standard | background', 'interactive'),
  ).action(async (agent: string, task: string, options: RunOptions) => {
    const priority = prioritySchema.safeParse(options.priority);
    if (!priority.success) throw new UsageError('--priority must be interactive, standard or background');
    if (task.trim() === '') throw new UsageError('the task must not be empty');
    const client = clientFor(program, options);
    const { run } = await call(client.POST('/api/runs', { body: { agent, task, priority: priority.data } }));
    if (!options.json) process.stderr.write(`run ${run.id}\n`);
    let answered = false;
    await follow(client, run.id, (event) => {
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ id: event.id, event: event.event, data: JSON.parse(event.data) })}\n`,
        );
        return;
      }
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === 'model.delta') {
        process.stdout.write(String(data.text));
        answered = true;
      } else if (event.event === 'model.completed' && answered) {
        process.stdout.write('\n');
        answered = false;
      } else if (event.event === 'tool.started') process.stderr.write(`→ ${data.name}(${data.arguments})\n`);
      else if (event.event === 'tool.finished')
        process.stderr.write(`← ${data.name}${data.isError ? ' (error)' : ''}\n`);
      else if (event.event === 'model.retry') process.stderr.write(`… provider retry: ${data.reason}\n`);
    });
    const { run: final } = await call(client.GET('/api/runs/{id}', { params: { path: { id: run.id } } }));
    if (options.json) process.stdout.write(`${JSON.stringify({ run: final })}\n`);
    else if (final.status === 'paused') process.stderr.write(`paused: ${final.pause?.message ?? ''}\n`);
    if (final.status !== 'succeeded' && final.status !== 'paused') throw runEnded(final);
  });
}
