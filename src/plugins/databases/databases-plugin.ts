import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { loadSecretBox, type SecretBox } from '../../core/secrets/secret-box.ts';
import { databaseTools } from './database-tools.ts';
import { queryFilesTool } from './query-files-tool.ts';

/**
 * Read-only SQL over the databases an admin connected (`describe_databases`, `query_database`) and over the
 * tables attached to a conversation (`query_files`).
 */
export function databasesPlugin(config: Pick<AgentOsConfig, 'home'>): KernelPlugin {
  let box: SecretBox | undefined;
  const secretBox = (): SecretBox => {
    box ??= loadSecretBox(config.home);
    return box;
  };
  return {
    name: 'databases',
    tools: ({ store }) => [...databaseTools(store, secretBox), queryFilesTool(store)],
  };
}
