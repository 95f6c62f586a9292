import type { Command } from 'commander';
import { call } from '../../client/agent-os-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

/** `agentos spaces …` and `agentos groups …`: who sees which agents and shared memories (server API). */
export function registerSpaces(program: Command): void {
  const client = (options: ClientOptions) => clientFor(program, options);
  const spaces = program.command('spaces').description('Spaces: who sees which agents and shared memories');

  withClientFlags(spaces.command('list').description('The spaces you see')).action(
    async (options: ClientOptions) => {
      const result = await call(client(options).GET('/api/spaces'));
      emit(options, result, () => table(result.spaces, ['id', 'name', 'visibility']));
    },
  );

  withClientFlags(
    spaces
      .command('create <name>')
      .description('Create a space (admin)')
      .option('--restricted', 'visible to its members and groups only (default: open)'),
  ).action(async (name: string, options: ClientOptions & { restricted?: boolean }) => {
    const visibility = options.restricted === true ? 'restricted' : 'open';
    const result = await call(client(options).POST('/api/spaces', { body: { name, visibility } }));
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
    const { user, group } = options;
    if ((user === undefined) === (group === undefined))
      throw new UsageError('give exactly one of --user and --group');
    const params = { path: { space } };
    const result =
      user !== undefined
        ? await call(client(options).POST('/api/spaces/{space}/members', { params, body: { userId: user } }))
        : await call(client(options).POST('/api/spaces/{space}/groups', { params, body: { group: group! } }));
    emit(options, result, () => `added ${user ?? group} to ${space}`);
  });

  withClientFlags(
    spaces.command('remove <space> <userId>').description('Remove a member from a space (admin)'),
  ).action(async (space: string, userId: string, options: ClientOptions) => {
    const result = await call(
      client(options).DELETE('/api/spaces/{space}/members/{userId}', { params: { path: { space, userId } } }),
    );
    emit(options, result, () => `removed ${userId} from ${space}`);
  });

  const groups = program
    .command('groups')
    .description('Groups of members: space membership and Cedar principals');

  withClientFlags(groups.command('list').description("The workspace's groups")).action(
    async (options: ClientOptions) => {
      const result = await call(client(options).GET('/api/groups'));
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
      const result = await call(client(options).POST('/api/groups', { body: { name } }));
      emit(options, result, () => `created group ${result.group.name} (${result.group.id})`);
    },
  );

  withClientFlags(
    groups.command('add <group> <userId>').description('Add a member to a group (admin)'),
  ).action(async (group: string, userId: string, options: ClientOptions) => {
    const result = await call(
      client(options).POST('/api/groups/{group}/members', { params: { path: { group } }, body: { userId } }),
    );
    emit(options, result, () => `added ${userId} to ${group}`);
  });

  withClientFlags(
    groups.command('remove <group> <userId>').description('Remove a member from a group (admin)'),
  ).action(async (group: string, userId: string, options: ClientOptions) => {
    const result = await call(
      client(options).DELETE('/api/groups/{group}/members/{userId}', { params: { path: { group, userId } } }),
    );
    emit(options, result, () => `removed ${userId} from ${group}`);
  });
}
