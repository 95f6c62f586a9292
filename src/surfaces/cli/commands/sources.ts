import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type Source = ApiSchemas['KnowledgeSource'];
type Counts = Source['lastCounts'];
/** The schedule fields of a source's body: `--every` or `--cron [--timezone]`. */
type ScheduleFields = Pick<ApiRequestBody<'/api/sources', 'post'>, 'scheduleMinutes' | 'schedule'>;

interface ScheduleOptions {
  every?: string;
  cron?: string;
  timezone?: string;
}

interface AddOptions extends ClientOptions, ScheduleOptions {
  kind: string;
  path?: string;
  config?: string;
  space?: string;
}

interface UpdateOptions extends ClientOptions, ScheduleOptions {
  config?: string;
  space?: string;
  manual?: boolean;
}

const countsText = (counts: Counts) =>
  counts === null
    ? '-'
    : `+${counts.added} ~${counts.updated} =${counts.unchanged} -${counts.deleted} !${counts.failed}`;

function minutes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`--every must be whole minutes ≥ 1, got "${value}"`);
  return number;
}

/** The body fields of `--every` or `--cron [--timezone]` (the server checks the expression and zone). */
function scheduleOf(options: ScheduleOptions): ScheduleFields {
  if (options.every !== undefined && options.cron !== undefined)
    throw new UsageError('give --every or --cron, not both');
  if (options.timezone !== undefined && options.cron === undefined)
    throw new UsageError('--timezone goes with --cron');
  if (options.cron !== undefined)
    return {
      schedule: {
        cron: options.cron,
        ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      },
    };
  const every = minutes(options.every);
  return every === undefined ? {} : { scheduleMinutes: every };
}

function configOf(options: AddOptions): Record<string, unknown> {
  if ((options.path === undefined) === (options.config === undefined))
    throw new UsageError('give exactly one of --path (folder sources) and --config <json>');
  if (options.path !== undefined) return { path: resolve(options.path) };
  return jsonConfig(options.config ?? '');
}

function jsonConfig(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--config must be a JSON object: ${(error as Error).message}`);
  }
}

function scheduleText(source: Source): string {
  if (source.schedule !== null)
    return `cron "${source.schedule.cron}" (${source.schedule.timezone}), next sync ${source.nextSyncAt ?? '-'}`;
  return source.scheduleMinutes === null ? 'on request' : `every ${source.scheduleMinutes} min`;
}

function describeSource(source: Source): string {
  return [
    `${source.name} (${source.id}) · ${source.kind} · ${source.status}`,
    `space: ${source.spaceId ?? '(workspace)'}`,
    `config: ${JSON.stringify(source.config)}`,
    `schedule: ${scheduleText(source)}`,
    `last sync: ${source.lastSyncAt ?? 'never'}  ${countsText(source.lastCounts)}`,
    ...(source.lastError === null
      ? []
      : [`last error [${source.lastError.code}]: ${source.lastError.message}`]),
  ].join('\n');
}

/** `agentos sources …` (data sources of shared knowledge) and `agentos knowledge search` (server API). */
export function registerSources(program: Command): void {
  const client = (options: ClientOptions) => clientFor(program, options);
  const sources = program
    .command('sources')
    .description('Knowledge sources: folders (and other connectors) synced into cited search');

  withClientFlags(
    sources
      .command('add <name>')
      .description('Add a source (builder; folder sources: admin)')
      .option('--kind <kind>', 'folder, or another connector kind', 'folder')
      .option('--path <dir>', 'the folder to index (folder sources)')
      .option('--config <json>', "the kind's config as a JSON object")
      .option('--space <space>', 'the owning space (default: the whole workspace)')
      .option('--every <minutes>', 're-sync every so many minutes')
      .option('--cron <expr>', 're-sync at each firing of this cron expression ("0 9 * * 1-5")')
      .option('--timezone <zone>', 'the IANA time zone --cron is read in (default UTC)'),
  ).action(async (name: string, options: AddOptions) => {
    const body = {
      name,
      kind: options.kind,
      config: configOf(options),
      ...(options.space === undefined ? {} : { space: options.space }),
      ...scheduleOf(options),
    };
    const result = await call(client(options).POST('/api/sources', { body }));
    emit(
      options,
      result,
      () => `added ${result.source.kind} source ${result.source.name} (${result.source.id})`,
    );
  });

  withClientFlags(
    sources
      .command('update <source>')
      .description("Change a source's schedule, config or space (builder; folder sources: admin)")
      .option('--every <minutes>', 're-sync every so many minutes (replaces a cron schedule)')
      .option('--cron <expr>', 're-sync at each firing of this cron expression (replaces --every)')
      .option('--timezone <zone>', 'the IANA time zone --cron is read in (default UTC)')
      .option('--manual', 'drop the schedule: sync only on request')
      .option('--config <json>', "the kind's new config as a JSON object")
      .option('--space <space>', 'move the source to this space'),
  ).action(async (source: string, options: UpdateOptions) => {
    if (options.manual === true && (options.every !== undefined || options.cron !== undefined))
      throw new UsageError('give --manual or a schedule, not both');
    const body = {
      ...(options.config === undefined ? {} : { config: jsonConfig(options.config) }),
      ...(options.space === undefined ? {} : { space: options.space }),
      ...(options.manual === true ? { scheduleMinutes: null, schedule: null } : scheduleOf(options)),
    };
    if (Object.keys(body).length === 0)
      throw new UsageError('nothing to change: give --every, --cron, --manual, --config or --space');
    const result = await call(
      client(options).PATCH('/api/sources/{source}', { params: { path: { source } }, body }),
    );
    emit(options, result, () => describeSource(result.source));
  });

  withClientFlags(sources.command('list').description('The sources you may read')).action(
    async (options: ClientOptions) => {
      const result = await call(client(options).GET('/api/sources'));
      emit(options, result, () =>
        table(
          result.sources.map((s) => ({
            name: s.name,
            kind: s.kind,
            status: s.status,
            'last sync': s.lastSyncAt,
            counts: countsText(s.lastCounts),
          })),
          ['name', 'kind', 'status', 'last sync', 'counts'],
        ),
      );
    },
  );

  withClientFlags(
    sources.command('show <source>').description('A source with its status and last error'),
  ).action(async (source: string, options: ClientOptions) => {
    const result = await call(client(options).GET('/api/sources/{source}', { params: { path: { source } } }));
    emit(options, result, () => describeSource(result.source));
  });

  withClientFlags(
    sources
      .command('sync <source>')
      .description('Sync a source now and print what changed')
      .option('--no-wait', 'start the sync and return at once'),
  ).action(async (source: string, options: ClientOptions & { wait: boolean }) => {
    if (!options.json) process.stderr.write(`syncing ${source}…\n`);
    const result = await call(
      client(options).POST('/api/sources/{source}/sync', {
        params: { path: { source } },
        body: { wait: options.wait },
      }),
    );
    emit(options, result, () =>
      options.wait
        ? `${result.source.name}: ${result.source.status}  ${countsText(result.source.lastCounts)}${
            result.source.lastError === null
              ? ''
              : `\n[${result.source.lastError.code}] ${result.source.lastError.message}`
          }`
        : `sync of ${result.source.name} started`,
    );
  });

  withClientFlags(
    sources
      .command('documents <source>')
      .description("A source's documents, with parse and fetch errors")
      .option('--failed', 'only documents that failed'),
  ).action(async (source: string, options: ClientOptions & { failed?: boolean }) => {
    const query = options.failed ? { status: 'failed' as const } : {};
    const result = await call(
      client(options).GET('/api/sources/{source}/documents', { params: { path: { source }, query } }),
    );
    emit(options, result, () =>
      table(
        result.documents.map((d) => ({
          ref: d.ref,
          title: d.title,
          status: d.status,
          chunks: d.chunks,
          error: d.error === null ? null : `${d.error.code}: ${d.error.message}`,
        })),
        ['ref', 'title', 'status', 'chunks', 'error'],
      ),
    );
  });

  withClientFlags(sources.command('rm <source>').description('Delete a source and its documents')).action(
    async (source: string, options: ClientOptions) => {
      const result = await call(
        client(options).DELETE('/api/sources/{source}', { params: { path: { source } } }),
      );
      emit(options, result, () => `deleted source ${result.source.name}`);
    },
  );

  const knowledge = program.command('knowledge').description('Shared knowledge: cited search');
  withClientFlags(
    knowledge
      .command('search <query>')
      .description('Search the sources you may read; results carry their citations')
      .option('--limit <n>', 'how many results', '10')
      .option('--source <names>', 'comma-separated source names to narrow to'),
  ).action(async (query: string, options: ClientOptions & { limit: string; source?: string }) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new UsageError('--limit must be 1 to 50');
    const search = { q: query, limit, ...(options.source === undefined ? {} : { sources: options.source }) };
    const result = await call(client(options).GET('/api/knowledge/search', { params: { query: search } }));
    emit(options, result, () =>
      result.results.length === 0
        ? '(no results)'
        : result.results
            .map(
              (r) =>
                `[${r.citationId}] ${r.source} · ${r.document}${r.section === '' ? '' : ` › ${r.section}`}\n    ${r.location}\n    ${r.snippet}`,
            )
            .join('\n'),
    );
  });
}
