import type { Command } from 'commander';
import { z } from 'zod';
import { AgentOsApiError, type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

const limitSchema = z.coerce.number().int().min(1).max(500);
const statusSchema = z.enum([
  'queued',
  'running',
  'paused',
  'succeeded',
  'failed',
  'cancelled',
  'budget_exceeded',
]);

type Run = ApiSchemas['Run'];
type ResumeDecision = NonNullable<ApiRequestBody<'/api/runs/{id}/resume', 'post'>['decision']>;

type AgentNames = ReadonlyMap<string, string>;
type Client = ReturnType<typeof clientFor>;

/** The names of the agents the caller sees, by id, for people reading a table (--json keeps the ids). */
async function agentNames(client: Client, options: ClientOptions): Promise<AgentNames> {
  if (options.json === true) return new Map();
  try {
    const { agents } = await call(client.GET('/api/agents'));
    return new Map(agents.map((agent) => [agent.id, agent.name]));
  } catch (error) {
    // A workspace may forbid listing agents to someone who may still list their runs: show the ids then.
    if (error instanceof AgentOsApiError && error.status === 403) return new Map();
    throw error;
  }
}

/** `support v3`; an agent no longer listed (deleted) keeps its id. */
const agentLabel = (names: AgentNames, run: Run) =>
  `${names.get(run.agentId) ?? run.agentId} v${run.agentVersion}`;

function runRow(run: Run, names: AgentNames): Record<string, unknown> {
  return {
    id: run.id,
    status: run.status,
    agent: agentLabel(names, run),
    tokens: run.usage.inputTokens + run.usage.outputTokens,
    cost: `$${run.usage.costUsd.toFixed(4)}`,
    created: run.createdAt,
  };
}

function describeRun(run: Run, steps: ApiSchemas['RunStep'][], names: AgentNames): string {
  const lines = [
    `run ${run.id}: ${run.status}${run.error ? ` — ${run.error.code}: ${run.error.message}` : ''}`,
    `agent: ${agentLabel(names, run)}`,
    `task: ${run.input.task}`,
    `usage: ${run.usage.modelCalls} model calls, ${run.usage.toolCalls} tool calls, ${run.usage.inputTokens + run.usage.outputTokens} tokens, $${run.usage.costUsd.toFixed(4)}`,
  ];
  if (run.pause) lines.push(`paused: ${run.pause.message}`);
  if (run.output) lines.push(`answer: ${run.output.text}`);
  lines.push(
    table(
      steps.map((s) => ({
        turn: s.turn,
        call: s.callIndex,
        kind: s.kind,
        name: s.name,
        status: s.status,
        attempt: s.attempt,
      })),
      ['turn', 'call', 'kind', 'name', 'status', 'attempt'],
    ),
  );
  return lines.join('\n');
}

/** `runs list` filters; the server checks them too (a search over 200 characters is refused). */
interface ListFilters {
  status?: string;
  agent?: string;
  /** Any case, anywhere in the task or the answer. */
  search?: string;
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('Inspect and control runs on a running server');

  withClientFlags(runs.command('list', { isDefault: true }).description('List recent runs'))
    .option('--status <status>', 'only runs in this state')
    .option('--agent <idOrName>', 'only runs of this agent')
    .option('--search <text>', 'only runs whose task or answer holds this text')
    .option('--limit <n>', 'at most this many (1–500)', '50')
    .action(async (options: ClientOptions & ListFilters & { limit: string }) => {
      const limit = limitSchema.safeParse(options.limit);
      if (!limit.success) throw new UsageError('--limit must be an integer from 1 to 500');
      if (options.status !== undefined && !statusSchema.safeParse(options.status).success) {
        throw new UsageError(`--status must be one of ${statusSchema.options.join(', ')}`);
      }
      const query = {
        limit: limit.data,
        ...(options.status ? { status: statusSchema.parse(options.status) } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.search === undefined ? {} : { q: options.search }),
      };
      const client = clientFor(program, options);
      const [result, names] = await Promise.all([
        call(client.GET('/api/runs', { params: { query } })),
        agentNames(client, options),
      ]);
      emit(options, result, () =>
        table(
          result.runs.map((run) => runRow(run, names)),
          ['id', 'status', 'agent', 'tokens', 'cost', 'created'],
        ),
      );
    });

  withClientFlags(runs.command('show <runId>').description('Show a run and its journal')).action(
    async (runId: string, options: ClientOptions) => {
      const client = clientFor(program, options);
      const path = { id: runId };
      const { run } = await call(client.GET('/api/runs/{id}', { params: { path } }));
      const [{ steps }, names] = await Promise.all([
        call(client.GET('/api/runs/{id}/steps', { params: { path } })),
        agentNames(client, options),
      ]);
      emit(options, { run, steps }, () => describeRun(run, steps, names));
    },
  );

  withClientFlags(
    runs.command('cancel <runId>').description('Cancel a queued, paused or running run'),
  ).action(async (runId: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).POST('/api/runs/{id}/cancel', { params: { path: { id: runId } } }),
    );
    emit(options, result, () =>
      result.run.status === 'cancelled'
        ? `cancelled ${runId}`
        : `cancellation requested for ${runId} (stops at its next step)`,
    );
  });

  withClientFlags(
    runs
      .command('resume <runId>')
      .description('Resume a paused run with a decision about the tool call whose outcome is unknown')
      .requiredOption('--decision <action>', 'retry | assume_done | fail')
      .option('--output <json>', 'with assume_done: the tool output to record (JSON)')
      .option('--reason <text>', 'with fail: why'),
  ).action(
    async (
      runId: string,
      options: ClientOptions & { decision: string; output?: string; reason?: string },
    ) => {
      let decision: ResumeDecision;
      if (options.decision === 'retry') decision = { action: 'retry' };
      else if (options.decision === 'fail')
        decision = { action: 'fail', ...(options.reason ? { reason: options.reason } : {}) };
      else if (options.decision === 'assume_done') {
        let output: unknown;
        try {
          output = options.output === undefined ? undefined : JSON.parse(options.output);
        } catch {
          throw new UsageError('--output must be JSON');
        }
        decision = { action: 'assume_done', ...(output === undefined ? {} : { output }) };
      } else throw new UsageError('--decision must be retry, assume_done or fail');
      const result = await call(
        clientFor(program, options).POST('/api/runs/{id}/resume', {
          params: { path: { id: runId } },
          body: { decision },
        }),
      );
      emit(options, result, () => `run ${runId} is ${result.run.status}`);
    },
  );

  withClientFlags(
    runs.command('answer <runId> <answer>').description("Answer a run's ask_human question and resume it"),
  ).action(async (runId: string, answer: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).POST('/api/runs/{id}/answer', {
        params: { path: { id: runId } },
        body: { answer },
      }),
    );
    emit(options, result, () => `run ${runId} answered; it is ${result.status}`);
  });
}
