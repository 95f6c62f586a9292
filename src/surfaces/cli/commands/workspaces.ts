import type { Command } from 'commander';
import { createWorkspace, listWorkspaces } from '../../../core/identity/workspace-repo.ts';
import { configFrom, type GlobalOptions, withStore } from '../cli-context.ts';
import { emit, table } from '../output.ts';

export function registerWorkspaces(program: Command): void {
  const workspaces = program.command('workspaces').description('List and create workspaces');

  workspaces
    .command('list', { isDefault: true })
    .description('List workspaces')
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const list = await withStore(config, (store) => listWorkspaces(store));
      emit(options, { workspaces: list }, () =>
        table(list as unknown as Record<string, unknown>[], ['id', 'name', 'createdAt']),
      );
    });

  workspaces
    .command('create <name>')
    .description('Create a workspace')
    .option('--json', 'print JSON')
    .action(async (name: string, options: GlobalOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const workspace = await withStore(config, (store) => createWorkspace(store, name));
      emit(options, { workspace }, () => `created workspace ${workspace.id} (${workspace.name})`);
    });
}
