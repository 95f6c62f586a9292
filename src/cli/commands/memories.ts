import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import { type ClientOptions, clientFor as clientForProgram, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

/** A memory as the API answers it (dates are ISO strings). */
interface MemoryView {
  id: string;
  kind: string;
  content: string;
  subjects: string[];
  scope: string;
  scopeId: string;
  trust: string;
  importance: number;
  supersededBy: string | null;
  occurredAt: string | null;
  createdAt: string;
  updatedAt: string;
  score?: number;
}

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

const memoryPath = (id: string) => `/memories/${encodeURIComponent(id)}`;

function unitInterval(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new UsageError(`${flag} must be a number from 0 to 1, got "${value}"`);
  }
  return number;
}

function filterQuery(options: FilterOptions, q?: string): string {
  const params = new URLSearchParams();
  if (q !== undefined) params.set('q', q);
  if (options.kind !== undefined) params.set('kind', options.kind);
  if (options.scope !== undefined) params.set('scope', options.scope);
  if (options.limit !== undefined) params.set('limit', options.limit);
  if (options.inactive) params.set('inactive', 'true');
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const clip = (text: string, width = 60) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

function memoryTable(memories: readonly MemoryView[]): string {
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

function describeMemory(memory: MemoryView): string {
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

interface BlockView {
  id: string;
  scope: string;
  scopeId: string;
  label: string;
  content: string;
  updatedBy: string;
  updatedAt: string;
}

interface BlockOptions extends ClientOptions {
  agent?: string;
  scope?: string;
  scopeId?: string;
}

/** `memories blocks list|set|delete`: the pinned notes put into every model call. */
function registerBlocks(memories: Command, clientFor: (options: ClientOptions) => ApiClient): void {
  const blocks = memories.command('blocks').description('Pinned memory blocks: notes in every model call');

  withClientFlags(
    blocks
      .command('list')
      .description("Your user blocks, the workspace's, and with --agent that agent's")
      .option('--agent <id>', "also that agent's blocks (builder or admin)"),
  ).action(async (options: BlockOptions) => {
    const query = options.agent === undefined ? '' : `?agentId=${encodeURIComponent(options.agent)}`;
    const result = await clientFor(options).get<{ blocks: BlockView[] }>(`/memory-blocks${query}`);
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
      scope: options.scope ?? 'user',
      label,
      content,
      ...(options.scopeId === undefined ? {} : { scopeId: options.scopeId }),
    };
    const result = await clientFor(options).put<{ block: BlockView; changed: boolean }>(
      '/memory-blocks',
      body,
    );
    emit(options, result, () =>
      result.changed
        ? `pinned ${result.block.label} (${result.block.id})`
        : `${result.block.label} unchanged`,
    );
  });

  withClientFlags(blocks.command('delete <id>').description('Remove a block')).action(
    async (id: string, options: ClientOptions) => {
      const result = await clientFor(options).delete<{ block: BlockView }>(
        `/memory-blocks/${encodeURIComponent(id)}`,
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
    const result = await clientFor(options).get<{ memories: MemoryView[] }>(
      `/memories${filterQuery(options, query)}`,
    );
    emit(options, result, () => memoryTable(result.memories));
  });

  withClientFlags(
    withFilterFlags(memories.command('list').description('List the newest memories you may read')),
  ).action(async (options: FilterOptions) => {
    const result = await clientFor(options).get<{ memories: MemoryView[] }>(
      `/memories${filterQuery(options)}`,
    );
    emit(options, result, () => memoryTable(result.memories));
  });

  withClientFlags(memories.command('show <id>').description('Show a memory and its history')).action(
    async (id: string, options: ClientOptions) => {
      const result = await clientFor(options).get<{ memory: MemoryView; changes: unknown[] }>(memoryPath(id));
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
    const body = {
      kind: options.kind ?? 'fact',
      content,
      ...(options.subject === undefined ? {} : { subjects: options.subject }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.scopeId === undefined ? {} : { scopeId: options.scopeId }),
      ...(options.supersedes === undefined ? {} : { supersedes: options.supersedes }),
      ...(options.importance === undefined
        ? {}
        : { importance: unitInterval(options.importance, '--importance') }),
    };
    const result = await clientFor(options).post<{ memory: MemoryView; merged: boolean }>('/memories', body);
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
    const patch = {
      ...(options.content === undefined ? {} : { content: options.content }),
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.subject === undefined ? {} : { subjects: options.subject }),
      ...(options.importance === undefined
        ? {}
        : { importance: unitInterval(options.importance, '--importance') }),
    };
    if (Object.keys(patch).length === 0) {
      throw new UsageError('nothing to change: give --content, --kind, --subject or --importance');
    }
    const result = await clientFor(options).patch<{ memory: MemoryView }>(memoryPath(id), patch);
    emit(options, result, () => `updated ${result.memory.id}`);
  });

  registerBlocks(memories, clientFor);

  withClientFlags(memories.command('delete <id>').description('Delete a memory (its history stays)')).action(
    async (id: string, options: ClientOptions) => {
      const result = await clientFor(options).delete<{ memory: MemoryView }>(memoryPath(id));
      emit(options, result, () => `deleted ${result.memory.id}`);
    },
  );
}
