import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type SpaceView = {
  id: string;
  name: string;
  visibility: string;
};

interface GroupView {
  id: string;
  name: string;
  members: string[];
}

const enc = encodeURIComponent;

/** `agentos spaces …` and `agentos groups …`: who sees which agents and shared memories (server API). */
export function registerSpaces(program: Command): void {
  const client = (options: ClientOptions) => clientFor(program, options);
  const spaces = program.command('spaces').description('Spaces: who sees which agents and shared memories');

  withClientFlags(spaces.command('list').description('The spaces you see')).action(
    async (options: ClientOptions) => {
      const result = await client(options).get<{ spaces: SpaceView[] }>('/spaces');
      emit(options, result, () => table(result.spaces, ['id', 'name', 'visibility']));
    },
  );

  withClientFlags(
    spaces
      .command('create <name>')
      .description('Create a space (admin)')
      .option('--restricted', 'visible to its members and groups only (default: open)'),
  ).action(async (name: string, options: ClientOptions & { restricted?: boolean }) => {
    const body = { name, visibility: options.restricted === true ? 'restricted' : 'open' };
    const result = await client(options).post<{ space: SpaceView }>('/spaces', body);
    emit(
      options,
      result,
      () => `created ${result.space.visibility} space ${result.space.name} (${result.space.id})`,
    );
  });

  withClientFlags(
    spaces
      .command('add <space>')
      .description('Add a member (--user) or a group (--group) to a space (admin)')
      .option('--user <userId>', 'a member of the workspace')
      .option('--group <group>', 'a group name or id'),
  ).action(async (space: string, options: ClientOptions & { user?: string; group?: string }) => {
    if ((options.user === undefined) === (options.group === undefined))
      throw new UsageError('give exactly one of --user and --group');
    const result =
      options.user !== undefined
        ? await client(options).post(`/spaces/${enc(space)}/members`, { userId: options.user })
        : await client(options).post(`/spaces/${enc(space)}/groups`, { group: options.group });
    emit(options, result, () => `added ${options.user ?? options.group} to ${space}`);
  });

  withClientFlags(
    spaces.command('remove <space> <userId>').description('Remove a member from a space (admin)'),
  ).action(async (space: string, userId: string, options: ClientOptions) => {
    const result = await client(options).delete(`/spaces/${enc(space)}/members/${enc(userId)}`);
    emit(options, result, () => `removed ${userId} from ${space}`);
  });

  const groups = program
    .command('groups')
    .description('Groups of members: space membership and Cedar principals');

  withClientFlags(groups.command('list').description("The workspace's groups")).action(
    async (options: ClientOptions) => {
      const result = await client(options).get<{ groups: GroupView[] }>('/groups');
      emit(options, result, () =>
        table(
          result.groups.map((g) => ({ id: g.id, name: g.name, members: g.members.join(' ') })),
          ['id', 'name', 'members'],
        ),
      );
    },
  );

  withClientFlags(groups.command('create <name>').description('Create a group (admin)')).action(
    async (name: string, options: ClientOptions) => {
      const result = await client(options).post<{ group: GroupView }>('/groups', { name });
      emit(options, result, () => `created group ${result.group.name} (${result.group.id})`);
    },
  );

  withClientFlags(
    groups.command('add <group> <userId>').description('Add a member to a group (admin)'),
  ).action(async (group: string, userId: string, options: ClientOptions) => {
    const result = await client(options).post(`/groups/${enc(group)}/members`, { userId });
    emit(options, result, () => `added ${userId} to ${group}`);
  });

  withClientFlags(
    groups.command('remove <group> <userId>').description('Remove a member from a group (admin)'),
  ).action(async (group: string, userId: string, options: ClientOptions) => {
    const result = await client(options).delete(`/groups/${enc(group)}/members/${enc(userId)}`);
    emit(options, result, () => `removed ${userId} from ${group}`);
  });
}
