import type { Command } from 'commander';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../core/identity/api-keys.ts';
import { configFrom, type GlobalOptions, withStore } from '../cli-context.ts';
import { emit, table, UsageError } from '../output.ts';
import { resolveMember, resolveWorkspace } from './admin-scope.ts';

interface ScopeOptions extends GlobalOptions {
  workspace?: string;
}

const daysSchema = z.coerce.number().int().min(1).max(3_650);

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage API keys');

  keys
    .command('create')
    .description('Create an API key; the secret is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--workspace <idOrName>', 'workspace (default: the first)')
    .option('--user <email>', 'member the key acts as (default: the first admin)')
    .option('--expires-in-days <n>', 'the key stops working after this many days (1–3650)')
    .option('--read-only', 'accept the key for reading (GET) only')
    .option('--json', 'print JSON')
    .action(
      async (
        options: ScopeOptions & { name: string; user?: string; expiresInDays?: string; readOnly?: boolean },
      ) => {
        const days =
          options.expiresInDays === undefined ? undefined : daysSchema.safeParse(options.expiresInDays);
        if (days !== undefined && !days.success)
          throw new UsageError('--expires-in-days must be an integer from 1 to 3650');
        const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
        const created = await withStore(config, async (store) => {
          const workspace = await resolveWorkspace(store, options.workspace);
          const userId = await resolveMember(store, workspace.id, options.user);
          return createApiKey(store, {
            workspaceId: workspace.id,
            userId,
            name: options.name,
            scope: options.readOnly === true ? 'read' : 'full',
            expiresAt: days === undefined ? null : new Date(Date.now() + days.data * 86_400_000),
          });
        });
        emit(options, created, () => `created key ${created.key.id}\n${created.secret}`);
      },
    );

  keys
    .command('list')
    .description('List API keys (never their secrets)')
    .option('--workspace <idOrName>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (options: ScopeOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const list = await withStore(config, async (store) =>
        listApiKeys(store, (await resolveWorkspace(store, options.workspace)).id),
      );
      emit(options, { keys: list }, () =>
        table(
          list.map((k) => ({ ...k, status: k.revokedAt ? 'revoked' : 'active' })),
          ['id', 'name', 'prefix', 'userId', 'status', 'createdAt'],
        ),
      );
    });

  keys
    .command('revoke <keyId>')
    .description('Revoke an API key at once')
    .option('--workspace <idOrName>', 'workspace (default: the first)')
    .option('--json', 'print JSON')
    .action(async (keyId: string, options: ScopeOptions) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const revoked = await withStore(config, async (store) =>
        revokeApiKey(store, (await resolveWorkspace(store, options.workspace)).id, keyId),
      );
      emit(options, { key: revoked }, () => `revoked ${revoked.id}`);
    });
}
