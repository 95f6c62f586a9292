import type { Command } from 'commander';
import { blockScopeSchema } from '../../../plugins/memory/memory-blocks.ts';
import { memoryKindSchema, memoryScopeSchema } from '../../../plugins/memory/memory-record.ts';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor as clientForProgram, withClientFlags } from '../client-flags.ts';
import { flagChoice, optionalFlagChoice } from '../flag-choice.ts';
import { emit, table, UsageError } from '../output.ts';

type Memory = ApiSchemas['Memory'];

interface FilterOptions extends ClientOptions {
  kind?: string;
  scope?: string;
  limit?: string;
  inactive?: boolean;
}

interface WriteOptions extends ClientOptions {
  kind?: string;
  scope?: string;
  scopeId?: string;
  subject?: string[];
  importance?: string;
  content?: string;
  supersedes?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function unitInterval(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new UsageError(`${flag} must be a number from 0 to 1, got "${value}"`);
  }
  return number;
}

/** The query of `memories list|search`; the server checks `--limit` (it reads it as `Number` does). */
function filterQuery(options: FilterOptions, q?: string) {
  const kind = optionalFlagChoice(memoryKindSchema, options.kind, '--kind');
  const scope = optionalFlagChoice(memoryScopeSchema, options.scope, '--scope');
  return {
    ...(q === undefined ? {} : { q }),
    ...(kind === undefined ? {} : { kind }),
    ...(scope === undefined ? {} : { scope }),
    ...(options.limit === undefined ? {} : { limit: Number(options.limit) }),
    ...(options.inactive ? { inactive: 'true' as const } : {}),
  };
}

const clip = (text: string, width = 60) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

function memoryTable(memories: readonly Memory[]): string {
  return table(
    memories.map((memory) => ({
      id: memory.id,
      kind: memory.kind,
      scope: memory.scope,
      date: (memory.occurredAt ?? memory.createdAt).slice(0, 10),
      content: clip(memory.content.replaceAll('\n', ' ')),
    })),
    ['id', 'kind', 'scope', 'date', 'content'],
  );
}

function describeMemory(memory: Memory): string {
  return [
    `${memory.id} (${memory.kind}, ${memory.scope} ${memory.scopeId}, ${memory.trust})`,
    `  ${memory.content.split('\n').join('\n  ')}`,
    `  subjects:   ${memory.subjects.length === 0 ? '(none)' : memory.subjects.join(', ')}`,
    `  importance: ${memory.importance}`,
    ...(memory.occurredAt === null ? [] : [`  occurred:   ${memory.occurredAt}`]),
    ...(memory.supersededBy === null ? [] : [`  superseded by ${memory.supersededBy}`]),
    `  updated:    ${memory.updatedAt}`,
  ].join('\n');
}

function withFilterFlags(command: Command): Command {
  return command
    .option('--kind <kind>', 'fact, decision, preference, procedure, episode or handoff')
    .option('--scope <scope>', 'agent, user, space or workspace')
    .option('--limit <n>', 'how many (default 20)')
    .option('--inactive', 'include superseded and expired memories');
}

function withWriteFlags(command: Command): Command {
  return command
    .option('--kind <kind>', 'fact, decision, preference, procedure, episode or handoff')
    .option('--subject <name>', 'who or what it is about (repeatable)', collect)
    .option('--importance <0..1>', 'how much it matters');
}

interface BlockOptions extends ClientOptions {
  agent?: string;
  scope?: string;
  scopeId?: string;
}

/** `memories blocks list|set|delete`: the pinned notes put into every model call. */
function registerBlocks(memories: Command, clientFor: (options: ClientOptions) => CliClient): void {
  const blocks = memories.command('blocks').description('Pinned memory blocks: notes in every model call');

  withClientFlags(
    blocks
      .command('list')
      .description("Your user blocks, the workspace's, and with --agent that agent's")
      .option('--agent <id>', "also that agent's blocks (builder or admin)"),
  ).action(async (options: BlockOptions) => {
    const query = options.agent === undefined ? {} : { agentId: options.agent };
    const result = await call(clientFor(options).GET('/api/memory-blocks', { params: { query } }));
    emit(options, result, () =>
      table(
        result.blocks.map((block) => ({
          id: block.id,
          scope: block.scope,
          label: block.label,
          content: clip(block.content.replaceAll('\n', ' ')),
        })),
        ['id', 'scope', 'label', 'content'],
      ),
    );
  });

  withClientFlags(
    blocks
      .command('set <label> <content>')
      .description('Create or replace a block (your user scope by default)')
      .option('--scope <scope>', 'user (default), agent or workspace')
      .option('--scope-id <id>', 'the agent id for the agent scope'),
  ).action(async (label: string, content: string, options: BlockOptions) => {
    const body = {
      scope: flagChoice(blockScopeSchema, options.scope ?? 'user', '--scope'),
      label,
      content,
      ...(options.scopeId === undefined ? {} : { scopeId: options.scopeId }),
    };
    const result = await call(clientFor(options).PUT('/api/memory-blocks', { body }));
    emit(options, result, () =>
      result.changed
        ? `pinned ${result.block.label} (${result.block.id})`
        : `${result.block.label} unchanged`,
    );
  });

  withClientFlags(blocks.command('delete <id>').description('Remove a block')).action(
    async (id: string, options: ClientOptions) => {
      const result = await call(
        clientFor(options).DELETE('/api/memory-blocks/{id}', { params: { path: { id } } }),
      );
      emit(options, result, () => `deleted ${result.block.label} (${result.block.id})`);
    },
  );
}

export function registerMemories(program: Command): void {
  const memories = program
    .command('memories')
    .description('Search and manage long-term memories on a running server');
  const clientFor = (options: ClientOptions) => clientForProgram(program, options);

  withClientFlags(
    withFilterFlags(
      memories.command('search <query>').description('Find the memories that best match a query'),
    ),
  ).action(async (query: string, options: FilterOptions) => {
    const result = await call(
      clientFor(options).GET('/api/memories', { params: { query: filterQuery(options, query) } }),
    );
    emit(options, result, () => memoryTable(result.memories));
  });

  withClientFlags(
    withFilterFlags(memories.command('list').description('List the newest memories you may read')),
  ).action(async (options: FilterOptions) => {
    const result = await call(
      clientFor(options).GET('/api/memories', { params: { query: filterQuery(options) } }),
    );
    emit(options, result, () => memoryTable(result.memories));
  });

  withClientFlags(memories.command('show <id>').description('Show a memory and its history')).action(
    async (id: string, options: ClientOptions) => {
      const result = await call(clientFor(options).GET('/api/memories/{id}', { params: { path: { id } } }));
      emit(options, result, () => `${describeMemory(result.memory)}\n  changes:    ${result.changes.length}`);
    },
  );

  withClientFlags(
    withWriteFlags(
      memories.command('add <content>').description('Remember something (your user scope by default)'),
    )
      .option('--scope <scope>', 'user (default), workspace, agent or space')
      .option('--scope-id <id>', 'the agent or space id for agent and space scopes')
      .option('--supersedes <id>', 'a memory this one replaces'),
  ).action(async (content: string, options: WriteOptions) => {
    const importance = unitInterval(options.importance, '--importance');
    const scope = optionalFlagChoice(memoryScopeSchema, options.scope, '--scope');
    const body = {
      kind: flagChoice(memoryKindSchema, options.kind ?? 'fact', '--kind'),
      content,
      ...(options.subject === undefined ? {} : { subjects: options.subject }),
      ...(scope === undefined ? {} : { scope }),
      ...(options.scopeId === undefined ? {} : { scopeId: options.scopeId }),
      ...(options.supersedes === undefined ? {} : { supersedes: options.supersedes }),
      ...(importance === undefined ? {} : { importance }),
    };
    const result = await call(clientFor(options).POST('/api/memories', { body }));
    emit(options, result, () =>
      result.merged
        ? `merged into ${result.memory.id} (it already said nearly the same)`
        : `remembered ${result.memory.id}`,
    );
  });

  withClientFlags(
    withWriteFlags(memories.command('edit <id>').description('Change a memory in place')).option(
      '--content <text>',
      'the new content',
    ),
  ).action(async (id: string, options: WriteOptions) => {
    const importance = unitInterval(options.importance, '--importance');
    const kind = optionalFlagChoice(memoryKindSchema, options.kind, '--kind');
    const patch = {
      ...(options.content === undefined ? {} : { content: options.content }),
      ...(kind === undefined ? {} : { kind }),
      ...(options.subject === undefined ? {} : { subjects: options.subject }),
      ...(importance === undefined ? {} : { importance }),
    };
    if (Object.keys(patch).length === 0) {
      throw new UsageError('nothing to change: give --content, --kind, --subject or --importance');
    }
    const result = await call(
      clientFor(options).PATCH('/api/memories/{id}', { params: { path: { id } }, body: patch }),
    );
    emit(options, result, () => `updated ${result.memory.id}`);
  });

  registerBlocks(memories, clientFor);

  withClientFlags(memories.command('delete <id>').description('Delete a memory (its history stays)')).action(
    async (id: string, options: ClientOptions) => {
      const result = await call(
        clientFor(options).DELETE('/api/memories/{id}', { params: { path: { id } } }),
      );
      emit(options, result, () => `deleted ${result.memory.id}`);
    },
  );
}
