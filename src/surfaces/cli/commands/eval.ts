import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type EvalRunView = ApiSchemas['EvalRunView'];

const percent = (score: number | null) => (score === null ? '-' : `${Math.round(score * 1000) / 10}%`);

function describeEvalRun({ evalRun, cases }: EvalRunView): string {
  const head =
    `eval run ${evalRun.id}: suite ${evalRun.suiteName}, agent version ${evalRun.agentVersion}, ${evalRun.status}` +
    (evalRun.status === 'completed'
      ? ` — ${evalRun.passed}/${evalRun.total} passed (${percent(evalRun.score)})`
      : '');
  const rows = cases.map((c) => ({
    case: c.caseId,
    result: c.status === 'pending' ? 'pending' : c.passed ? 'pass' : 'FAIL',
    score: c.score === null ? null : c.score.toFixed(2),
    tokens: c.inputTokens === null ? null : (c.inputTokens ?? 0) + (c.outputTokens ?? 0),
    cost: c.costUsd === null ? null : `$${c.costUsd.toFixed(4)}`,
    ms: c.latencyMs,
    run: c.runId,
  }));
  const failures = cases.flatMap((c) =>
    (c.criteria ?? []).filter((r) => !r.passed).map((r) => `  ${c.caseId} / ${r.name}: ${r.detail}`),
  );
  return [
    head,
    table(rows, ['case', 'result', 'score', 'tokens', 'cost', 'ms', 'run']),
    ...(failures.length > 0 ? ['failed criteria:', ...failures] : []),
  ].join('\n');
}

function describeReport(report: ApiSchemas['RegressionReport']): string {
  const line = (label: string, ids: string[]) =>
    `${label} (${ids.length}): ${ids.length === 0 ? '-' : ids.join(', ')}`;
  const worse = report.cases
    .filter((c) => c.change === 'worse')
    .map(
      (c) => `  ${c.caseId}: now failing ${c.criteria.length === 0 ? '(run failed)' : c.criteria.join(', ')}`,
    );
  return [
    `before: ${report.before.evalRunId} (v${report.before.agentVersion}, ${percent(report.before.score)})`,
    `after:  ${report.after.evalRunId} (v${report.after.agentVersion}, ${percent(report.after.score)})`,
    line('worse', report.worse),
    ...worse,
    line('better', report.better),
    line('unchanged', report.unchanged),
    ...(report.added.length > 0 ? [line('added', report.added)] : []),
    ...(report.removed.length > 0 ? [line('removed', report.removed)] : []),
    report.regressed ? 'REGRESSED' : 'no regression',
  ].join('\n');
}

/** Starts an eval run and, unless told not to, polls it until every case is scored (progress on stderr). */
async function runSuite(
  client: CliClient,
  suite: string,
  options: { agentVersion?: number | undefined; wait: boolean; quiet: boolean },
): Promise<EvalRunView> {
  const started = await call(
    client.POST('/api/evals/suites/{name}/runs', {
      params: { path: { name: suite } },
      body: options.agentVersion === undefined ? {} : { agentVersion: options.agentVersion },
    }),
  );
  const { id, total } = started.evalRun;
  if (!options.quiet) process.stderr.write(`eval run ${id}: ${total} cases\n`);
  if (!options.wait) return started;
  let reported = -1;
  for (;;) {
    const view = await getEvalRun(client, id);
    const scored = view.cases.filter((c) => c.status === 'scored').length;
    if (!options.quiet && scored !== reported) process.stderr.write(`  scored ${scored}/${total}\n`);
    reported = scored;
    if (view.evalRun.status === 'completed') return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const getEvalRun = (client: CliClient, id: string) =>
  call(client.GET('/api/evals/runs/{id}', { params: { path: { id } } }));

function parseVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`"${value}" is not an agent version`);
  return version;
}

export function registerEval(program: Command): void {
  const evals = program
    .command('eval')
    .description('Eval suites: run them against agent versions, compare versions');

  withClientFlags(
    evals.command('add <file>').description('Create or replace an eval suite from a JSON file'),
  ).action(async (file: string, options: ClientOptions) => {
    let definition: unknown;
    try {
      definition = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    // The server checks the suite (parseSuite names each problem's case and field).
    const result = await call(clientFor(program, options).POST('/api/evals/suites', { body: definition }));
    emit(options, result, () => `suite ${result.suite.name} (${result.suite.definition.cases.length} cases)`);
  });

  withClientFlags(evals.command('suites').description('List eval suites')).action(
    async (options: ClientOptions) => {
      const result = await call(clientFor(program, options).GET('/api/evals/suites'));
      emit(options, result, () =>
        table(
          result.suites.map((s) => ({
            name: s.name,
            agent: s.agent,
            cases: s.definition.cases.length,
            updated: s.updatedAt,
          })),
          ['name', 'agent', 'cases', 'updated'],
        ),
      );
    },
  );

  withClientFlags(
    evals
      .command('run <suite>')
      .description('Run every case of a suite as a real run and score it; exits 1 when a case fails')
      .option('--agent-version <n>', 'the agent version to evaluate (default: its latest)', parseVersion)
      .option('--no-wait', 'return once the runs are started'),
  ).action(async (suite: string, options: ClientOptions & { agentVersion?: number; wait: boolean }) => {
    const view = await runSuite(clientFor(program, options), suite, {
      agentVersion: options.agentVersion,
      wait: options.wait,
      quiet: options.json === true,
    });
    emit(options, view, () => describeEvalRun(view));
    if (view.evalRun.status === 'completed' && view.evalRun.passed !== view.evalRun.total)
      process.exitCode = 1;
  });

  withClientFlags(evals.command('show <evalRunId>').description('Show an eval run and its cases')).action(
    async (id: string, options: ClientOptions) => {
      const view = await getEvalRun(clientFor(program, options), id);
      emit(options, view, () => describeEvalRun(view));
    },
  );

  withClientFlags(evals.command('runs [suite]').description('List recent eval runs')).action(
    async (suite: string | undefined, options: ClientOptions) => {
      const query = suite === undefined ? {} : { suite };
      const result = await call(clientFor(program, options).GET('/api/evals/runs', { params: { query } }));
      emit(options, result, () =>
        table(
          result.runs.map((r) => ({
            id: r.id,
            suite: r.suiteName,
            version: r.agentVersion,
            status: r.status,
            passed: r.passed === null ? null : `${r.passed}/${r.total}`,
            created: r.createdAt,
          })),
          ['id', 'suite', 'version', 'status', 'passed', 'created'],
        ),
      );
    },
  );

  withClientFlags(
    evals
      .command('compare [evalRunA] [evalRunB]')
      .description(
        'Regression report between two eval runs (or, with --suite and --versions, two fresh ones); exits 1 when a case regressed',
      )
      .option('--suite <name>', 'the suite to run for --versions')
      .option(
        '--versions <versions...>',
        'run the suite against two agent versions (e.g. 1 2), then compare',
      ),
  ).action(
    async (
      first: string | undefined,
      second: string | undefined,
      options: ClientOptions & { suite?: string; versions?: string[] },
    ) => {
      const client = clientFor(program, options);
      let before = first;
      let after = second;
      if (options.versions !== undefined) {
        const versions = options.versions.map(parseVersion);
        if (options.suite === undefined || versions.length !== 2) {
          throw new UsageError(
            '--versions needs --suite <name> and two versions, e.g. --suite s --versions 1 2',
          );
        }
        const quiet = options.json === true;
        before = (await runSuite(client, options.suite, { agentVersion: versions[0], wait: true, quiet }))
          .evalRun.id;
        after = (await runSuite(client, options.suite, { agentVersion: versions[1], wait: true, quiet }))
          .evalRun.id;
      }
      if (before === undefined || after === undefined) {
        throw new UsageError('give two eval run ids, or --suite <name> --versions <a> <b>');
      }
      const { report } = await call(
        client.GET('/api/evals/compare', { params: { query: { before, after } } }),
      );
      emit(options, { report }, () => describeReport(report));
      if (report.regressed) process.exitCode = 1;
    },
  );

  withClientFlags(
    evals
      .command('escalations')
      .description('Runs whose online checks failed and were escalated to you')
      .option('--all', 'include resolved ones'),
  ).action(async (options: ClientOptions & { all?: boolean }) => {
    const query = options.all ? {} : { status: 'open' as const };
    const result = await call(
      clientFor(program, options).GET('/api/evals/escalations', { params: { query } }),
    );
    emit(options, result, () =>
      table(
        result.escalations.map((e) => ({
          id: e.id,
          run: e.runId,
          status: e.status,
          failed: e.failures.map((f) => f.criterion).join(', '),
          created: e.createdAt,
        })),
        ['id', 'run', 'status', 'failed', 'created'],
      ),
    );
  });

  withClientFlags(
    evals
      .command('resolve <escalationId> <resolution>')
      .description('Close an escalation with what you concluded'),
  ).action(async (id: string, resolution: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).POST('/api/evals/escalations/{id}/resolve', {
        params: { path: { id } },
        body: { resolution },
      }),
    );
    emit(options, result, () => `resolved ${result.escalation.id}`);
  });
}
