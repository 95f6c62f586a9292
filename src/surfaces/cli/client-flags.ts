import type { Command } from 'commander';
import { apiClientFrom, type CliClient } from './api-client.ts';
import { configFrom, type GlobalOptions } from './cli-context.ts';

export interface ClientOptions extends GlobalOptions {
  url?: string;
  apiKey?: string;
}

/** The flags of every command that talks to a running server. */
export function withClientFlags(command: Command): Command {
  return command
    .option('--url <url>', 'Agent OS server (default: $AGENTOS_URL or http://127.0.0.1:<port>)')
    .option('--api-key <key>', 'API key (default: $AGENTOS_API_KEY or <home>/admin-api-key)')
    .option('--json', 'print JSON');
}

export function clientFor(program: Command, options: ClientOptions): CliClient {
  const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
  return apiClientFrom(
    {
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    },
    config,
  );
}
