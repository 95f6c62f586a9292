import type { Command } from 'commander';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import {
  databaseSourceInputSchema,
  databaseSourcePatchSchema,
} from '../../../plugins/databases/database-source-repo.ts';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { assertBody } from '../checked-body.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table } from '../output.ts';

type Database = ApiSchemas['DatabaseSource'];

interface AddOptions extends ClientOptions {
  description?: string;
  space?: string;
  trusted?: boolean;
  timeoutMs?: string;
  maxRows?: string;
}

interface LabelOptions extends ClientOptions {
  description?: string;
  trusted?: boolean;
  untrusted?: boolean;
  timeoutMs?: string;
  maxRows?: string;
}

/** A whole number flag, or a clear error naming it. */
function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new AgentOsError('request.invalid', `${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function limitsFrom(options: { timeoutMs?: string; maxRows?: string }): Record<string, number> | undefined {
  const statementTimeoutMs = count('--timeout-ms', options.timeoutMs);
  const maxRows = count('--max-rows', options.maxRows);
  const limits = {
    ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
    ...(maxRows === undefined ? {} : { maxRows }),
  };
  return Object.keys(limits).length === 0 ? undefined : limits;
}

const summary = (database: Database) =>
  [
    `${database.name} (${database.id}): ${database.kind} ${database.shownUrl}`,
    database.description === '' ? undefined : `  ${database.description}`,
    `  output: ${database.trustedOutput ? 'trusted (does not taint runs)' : 'untrusted'}`,
    `  limits: ${database.limits.statementTimeoutMs} ms, ${database.limits.maxRows} rows, ${database.limits.maxResultBytes} bytes`,
    ...(database.schema?.tables ?? []).map(
      (t) => `  ${t.schema}.${t.name}(${t.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
    ),
  ]
    .filter((line) => line !== undefined)
    .join('\n');

/** `agentos databases add | list | show | query | label | refresh | remove` on a running server (admins). */
export function registerDatabases(program: Command): void {
  const databases = program
    .command('databases')
    .description('Connect the SQL databases agents may query (query_database), read-only');

  withClientFlags(
    databases
      .command('add <name> <url>')
      .description(
        'Connect a PostgreSQL or MySQL/MariaDB database with a read-only role (postgres://…, mysql://…); the URL is sealed',
      )
      .option('--description <text>', 'what the database holds, for the agents')
      .option('--space <space>', 'only runs of users who see this space may query it')
      .option('--trusted', "its rows are the organisation's own records: they do not taint runs")
      .option('--timeout-ms <ms>', 'statement timeout (default 5000)')
      .option('--max-rows <n>', 'rows returned at most (default 1000)'),
  ).action(async (name: string, url: string, options: AddOptions) => {
    const limits = limitsFrom(options);
    const input = {
      name,
      url,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.space === undefined ? {} : { space: options.space }),
      ...(options.trusted === true ? { trustedOutput: true } : {}),
      ...(limits === undefined ? {} : { limits }),
    };
    assertBody<ApiRequestBody<'/api/databases', 'post'>>(databaseSourceInputSchema, input);
    const result = await call(clientFor(program, options).POST('/api/databases', { body: input }));
    emit(options, result, () =>
      [
        `connected ${result.database.name} (${result.database.id}): ${result.database.schema?.tables.length ?? 0} tables`,
        `grant it to an agent with "databases": ["${result.database.name}"]`,
      ].join('\n'),
    );
  });

  withClientFlags(databases.command('list').description('List the connected databases')).action(
    async (options: ClientOptions) => {
      const result = await call(clientFor(program, options).GET('/api/databases'));
      const rows = result.databases.map((d) => ({
        name: d.name,
        kind: d.kind,
        url: d.shownUrl,
        tables: d.schema?.tables.length ?? 0,
        output: d.trustedOutput ? 'trusted' : 'untrusted',
        id: d.id,
      }));
      emit(options, result, () => table(rows, ['name', 'kind', 'url', 'tables', 'output', 'id']));
    },
  );

  withClientFlags(
    databases
      .command('show <database>')
      .description('A database with its tables and columns (by name or id)'),
  ).action(async (database: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).GET('/api/databases/{id}', { params: { path: { id: database } } }),
    );
    emit(options, result, () => summary(result.database));
  });

  withClientFlags(
    databases
      .command('query <database> <sql>')
      .description('Run one read-only statement exactly as agents do (the same checks, limits and role)'),
  ).action(async (database: string, sql: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).POST('/api/databases/{id}/query', {
        params: { path: { id: database } },
        body: { sql },
      }),
    );
    emit(options, result, () => {
      const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
      const more = result.truncated
        ? `\n(cut at the ${result.truncatedBy ?? 'row'} limit: more rows were there)`
        : '';
      return `${table(rows, result.columns)}\n${result.rowCount} rows in ${result.elapsedMs} ms${more}`;
    });
  });

  withClientFlags(
    databases
      .command('label <database>')
      .description("Change a database's description, trust label or limits")
      .option('--description <text>', 'what the database holds')
      .option('--trusted', "its rows are the organisation's own records: they do not taint runs")
      .option('--untrusted', 'its rows taint runs like any outside content (the default)')
      .option('--timeout-ms <ms>', 'statement timeout')
      .option('--max-rows <n>', 'rows returned at most'),
  ).action(async (database: string, options: LabelOptions) => {
    if (options.trusted === true && options.untrusted === true)
      throw new AgentOsError('request.invalid', 'give --trusted or --untrusted, not both');
    const limits = limitsFrom(options);
    const patch = {
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.trusted === true ? { trustedOutput: true } : {}),
      ...(options.untrusted === true ? { trustedOutput: false } : {}),
      ...(limits === undefined ? {} : { limits }),
    };
    assertBody<ApiRequestBody<'/api/databases/{id}', 'patch'>>(databaseSourcePatchSchema, patch);
    const result = await call(
      clientFor(program, options).PATCH('/api/databases/{id}', {
        params: { path: { id: database } },
        body: patch,
      }),
    );
    emit(options, result, () => summary(result.database));
  });

  withClientFlags(
    databases.command('refresh <database>').description("Read the database's schema again"),
  ).action(async (database: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).POST('/api/databases/{id}/refresh', { params: { path: { id: database } } }),
    );
    emit(options, result, () => summary(result.database));
  });

  withClientFlags(
    databases
      .command('remove <database>')
      .description('Disconnect a database (by name or id); agents granted it can no longer query it'),
  ).action(async (database: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).DELETE('/api/databases/{id}', { params: { path: { id: database } } }),
    );
    emit(options, result, () => `removed ${result.database.name} (${result.database.id})`);
  });
}
