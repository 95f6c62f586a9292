import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type PlanView = ApiSchemas['PlanView'];

const getPlan = (client: CliClient, id: string) =>
  call(client.GET('/api/plans/{id}', { params: { path: { id } } }));

const FINISHED = ['succeeded', 'failed', 'cancelled'];

function describePlan({ plan, nodes }: PlanView): string {
  const lines = [
    `plan ${plan.id}${plan.definition.name ? ` (${plan.definition.name})` : ''}: ${plan.status}` +
      (plan.error ? ` — ${plan.error.message}` : ''),
    table(
      nodes.map((node) => ({
        node: node.nodeId,
        status: node.status,
        attempt: node.attempt,
        run: node.runId,
        output:
          node.status === 'succeeded'
            ? JSON.stringify(node.output).slice(0, 60)
            : (node.error?.message.slice(0, 60) ?? null),
      })),
      ['node', 'status', 'attempt', 'run', 'output'],
    ),
  ];
  return lines.join('\n');
}

/** Polls the plan until it ends, printing each node's changes of status on stderr. */
async function followPlan(client: CliClient, planId: string, quiet: boolean): Promise<PlanView> {
  const seen = new Map<string, string>();
  for (;;) {
    const view = await getPlan(client, planId);
    for (const node of view.nodes) {
      const state = `${node.status}#${node.attempt}`;
      if (!quiet && seen.get(node.nodeId) !== state) {
        process.stderr.write(`  ${node.nodeId}: ${node.status} (attempt ${node.attempt})\n`);
      }
      seen.set(node.nodeId, state);
    }
    if (FINISHED.includes(view.plan.status)) return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function registerPlans(program: Command): void {
  const plans = program.command('plans').description('Run and inspect plans (DAGs of agent and tool steps)');

  withClientFlags(
    plans
      .command('run <file>')
      .description('Submit a workflow file (JSON plan) and follow it to its end')
      .option('--no-wait', 'return once the plan is created'),
  ).action(async (file: string, options: ClientOptions & { wait: boolean }) => {
    let definition: unknown;
    try {
      definition = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    const client = clientFor(program, options);
    // The server checks the plan (parsePlan names each problem's node and field).
    const created = await call(client.POST('/api/plans', { body: definition }));
    if (!options.json) process.stderr.write(`plan ${created.plan.id}\n`);
    const view = options.wait ? await followPlan(client, created.plan.id, options.json === true) : created;
    emit(options, view, () => describePlan(view));
    if (view.plan.status === 'failed' || view.plan.status === 'cancelled') process.exitCode = 1;
  });

  withClientFlags(plans.command('show <planId>').description('Show a plan and its nodes')).action(
    async (planId: string, options: ClientOptions) => {
      const view = await getPlan(clientFor(program, options), planId);
      emit(options, view, () => describePlan(view));
    },
  );

  withClientFlags(plans.command('list', { isDefault: true }).description('List recent plans')).action(
    async (options: ClientOptions) => {
      const result = await call(clientFor(program, options).GET('/api/plans'));
      emit(options, result, () =>
        table(
          result.plans.map((plan) => ({
            id: plan.id,
            name: plan.definition.name ?? null,
            status: plan.status,
            nodes: plan.definition.nodes.length,
            created: plan.createdAt,
          })),
          ['id', 'name', 'status', 'nodes', 'created'],
        ),
      );
    },
  );

  withClientFlags(plans.command('cancel <planId>').description('Cancel a plan that has not ended')).action(
    async (planId: string, options: ClientOptions) => {
      const view = await call(
        clientFor(program, options).POST('/api/plans/{id}/cancel', { params: { path: { id: planId } } }),
      );
      emit(options, view, () => `cancelled plan ${planId}`);
    },
  );
}
