import type { Command } from 'commander';
import { z } from 'zod';
import { describeBudget } from '../../../plugins/usage/budget-guard.ts';
import { USAGE_GROUPS, usageBoundSchema } from '../../../plugins/usage/usage-report.ts';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type UsageReport = ApiSchemas['UsageReport'];
type ShownBudget = ApiSchemas['Budget'];

const usd = (value: number) => `$${value.toFixed(4)}`;
/** A mean active time (waits for a person excluded), or a dash when no run ended. */
const latency = (ms: number | null) => (ms === null ? '—' : `${(ms / 1_000).toFixed(2)} s`);

function describeReport(report: UsageReport): string {
  const rows = report.rows.map((row) => ({
    [report.groupBy]: row.label ?? row.key ?? '(no user)',
    runs: row.runs,
    input: row.inputTokens,
    output: row.outputTokens,
    cost: usd(row.costUsd),
    'model calls': row.modelCalls,
    'tool calls': row.toolCalls,
    'avg latency': latency(row.avgLatencyMs),
  }));
  const { total } = report;
  return [
    `usage by ${report.groupBy} from ${report.from} to ${report.to}${report.scope === 'user' ? ' (your runs)' : ''}`,
    table(rows, [
      report.groupBy,
      'runs',
      'input',
      'output',
      'cost',
      'model calls',
      'tool calls',
      'avg latency',
    ]),
    `total: ${total.runs} runs, ${total.totalTokens} tokens, ${usd(total.costUsd)}, average latency ${latency(total.avgLatencyMs)} (paused time excluded)`,
  ].join('\n');
}

function budgetRow(budget: ShownBudget): Record<string, unknown> {
  return {
    id: budget.id,
    budget: describeBudget(budget),
    'limit $': budget.limitUsd === null ? null : `$${budget.limitUsd.toFixed(2)}`,
    'limit tokens': budget.limitTokens,
    'spent $': usd(budget.spent.costUsd),
    'spent tokens': budget.spent.tokens,
  };
}

const BUDGET_COLUMNS = ['id', 'budget', 'limit $', 'limit tokens', 'spent $', 'spent tokens'];

const byFlag = z.enum(USAGE_GROUPS);
const usdFlag = z.coerce.number().nonnegative();
const tokensFlag = z.coerce.number().int().nonnegative();

export function registerUsage(program: Command): void {
  withClientFlags(
    program.command('usage').description('Tokens and cost of runs, by agent, user, workspace or day'),
  )
    .option('--by <group>', `group by ${USAGE_GROUPS.join('|')}`, 'agent')
    .option('--from <date>', 'first UTC day (YYYY-MM-DD) or ISO time (default: start of this month)')
    .option('--to <date>', 'last UTC day, inclusive, or ISO time, exclusive (default: now)')
    .action(async (options: ClientOptions & { by: string; from?: string; to?: string }) => {
      const groupBy = byFlag.safeParse(options.by);
      if (!groupBy.success) throw new UsageError(`--by must be one of ${USAGE_GROUPS.join(', ')}`);
      for (const flag of ['from', 'to'] as const) {
        const value = options[flag];
        if (value !== undefined && !usageBoundSchema.safeParse(value).success)
          throw new UsageError(`--${flag} must be a date (YYYY-MM-DD) or an ISO date-time`);
      }
      const query = {
        groupBy: groupBy.data,
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
      };
      const report = await call(clientFor(program, options).GET('/api/usage', { params: { query } }));
      emit(options, report, () => describeReport(report));
    });

  const budgets = program
    .command('budgets')
    .description('Daily and monthly spending limits per workspace or agent (admins)');

  withClientFlags(
    budgets.command('list', { isDefault: true }).description('List budgets and their current spend'),
  ).action(async (options: ClientOptions) => {
    const result = await call(clientFor(program, options).GET('/api/budgets'));
    emit(options, result, () => table(result.budgets.map(budgetRow), BUDGET_COLUMNS));
  });

  withClientFlags(
    budgets
      .command('set')
      .description('Set (or replace) the budget of the workspace, or of one agent with --agent'),
  )
    .requiredOption('--period <period>', 'day or month (UTC)')
    .option('--agent <idOrName>', 'the agent this budget is for (default: the whole workspace)')
    .option('--usd <amount>', 'limit in US dollars')
    .option('--tokens <n>', 'limit in tokens (input + output)')
    .action(
      async (options: ClientOptions & { period: string; agent?: string; usd?: string; tokens?: string }) => {
        const { period } = options;
        if (period !== 'day' && period !== 'month') throw new UsageError('--period must be day or month');
        if (options.usd === undefined && options.tokens === undefined)
          throw new UsageError('give --usd, --tokens or both');
        const limitUsd = options.usd === undefined ? undefined : usdFlag.safeParse(options.usd);
        if (limitUsd !== undefined && !limitUsd.success) throw new UsageError('--usd must be an amount ≥ 0');
        const limitTokens = options.tokens === undefined ? undefined : tokensFlag.safeParse(options.tokens);
        if (limitTokens !== undefined && !limitTokens.success)
          throw new UsageError('--tokens must be an integer ≥ 0');
        const result = await call(
          clientFor(program, options).POST('/api/budgets', {
            body: {
              period,
              ...(options.agent === undefined ? {} : { agent: options.agent }),
              ...(limitUsd === undefined ? {} : { limitUsd: limitUsd.data }),
              ...(limitTokens === undefined ? {} : { limitTokens: limitTokens.data }),
            },
          }),
        );
        emit(options, result, () => `set ${describeBudget(result.budget)} (${result.budget.id})`);
      },
    );

  withClientFlags(budgets.command('rm <id>').description('Remove a budget')).action(
    async (id: string, options: ClientOptions) => {
      const result = await call(
        clientFor(program, options).DELETE('/api/budgets/{id}', { params: { path: { id } } }),
      );
      emit(options, result, () => `removed budget ${result.deleted}`);
    },
  );
}
