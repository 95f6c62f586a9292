import type { Command } from 'commander';
import { z } from 'zod';
import { roleSchema } from '../../../core/identity/roles.ts';
import { addMember, emailSchema, listMembers } from '../../../core/identity/user-repo.ts';
import { configFrom, type GlobalOptions, withStore } from '../cli-context.ts';
import { emit, table, UsageError } from '../output.ts';
import { resolveWorkspace } from './admin-scope.ts';

const addUserArgs = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
});

export function registerUsers(program: Command): void {
  const users = program.command('users').description('List and add workspace members');

  users
    .command('list', { isDefault: true })
    .description('List members of a workspace')
    .option('--workspace <idOrName>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & { workspace?: string }) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const list = await withStore(config, async (store) =>
        listMembers(store, (await resolveWorkspace(store, options.workspace)).id),
      );
      emit(options, { users: list }, () =>
        table(list as unknown as Record<string, unknown>[], ['id', 'email', 'name', 'role']),
      );
    });

  users
    .command('add <email>')
    .description('Add a user to a workspace (creating the user if needed)')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--role <role>', 'admin | builder | user', 'user')
    .option('--workspace <idOrName>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(
      async (email: string, options: GlobalOptions & { name?: string; role: string; workspace?: string }) => {
        const parsed = addUserArgs.safeParse({
          email,
          name: options.name ?? email.split('@')[0],
          role: options.role,
        });
        if (!parsed.success) {
          throw new UsageError(
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          );
        }
        const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
        const user = await withStore(config, (store) =>
          store.transaction(async (tx) => {
            const workspace = await resolveWorkspace(tx, options.workspace);
            return addMember(tx, workspace.id, parsed.data);
          }),
        );
        emit(options, { user }, () => `${user.email} is ${user.role} (${user.id})`);
      },
    );
}
