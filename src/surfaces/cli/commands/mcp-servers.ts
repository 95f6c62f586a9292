import type { Command } from 'commander';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { mcpServerInputSchema } from '../../../plugins/mcp/mcp-server-repo.ts';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { assertBody } from '../checked-body.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { collect, keyValueFlags } from '../key-value-flag.ts';
import { emit, table } from '../output.ts';

interface AddOptions extends ClientOptions {
  command?: string;
  arg?: string[];
  env?: string[];
  mcpUrl?: string;
  header?: string[];
}

type McpServer = ApiSchemas['McpServer'];

/**
 * `--command …` (stdio) or `--mcp-url …` (http; `--url` is the Agent OS server, as for every command), never both;
 * the flags of the other transport are refused.
 */
function serverInputFrom(name: string, options: AddOptions): Record<string, unknown> {
  const { command, mcpUrl } = options;
  if ((command === undefined) === (mcpUrl === undefined)) {
    throw new AgentOsError(
      'request.invalid',
      'give either --command <cmd> (a stdio server) or --mcp-url <url> (an http server)',
    );
  }
  if (command !== undefined) {
    if (options.header !== undefined) throw new AgentOsError('request.invalid', '--header needs --mcp-url');
    return {
      name,
      transport: 'stdio',
      command,
      args: options.arg ?? [],
      env: keyValueFlags(options.env, '--env'),
    };
  }
  if (options.arg !== undefined || options.env !== undefined) {
    throw new AgentOsError('request.invalid', '--arg and --env need --command (a stdio server)');
  }
  return { name, transport: 'http', url: mcpUrl, headers: keyValueFlags(options.header, '--header') };
}

const targetOf = (server: McpServer): string =>
  server.transport === 'stdio' ? [server.command ?? '', ...server.args].join(' ') : (server.url ?? '');

const secretsOf = (server: McpServer): string =>
  [...server.secretNames.env, ...server.secretNames.headers].join(',') || '-';

/** `agentos mcp add | list | remove`: the workspace's MCP servers on a running server (admins). */
export function registerMcpServerCommands(mcp: Command, program: Command): void {
  withClientFlags(
    mcp
      .command('add <name>')
      .description(
        'Register an MCP server: a stdio command or an http URL (credentials are sealed, never shown)',
      )
      .option('--command <cmd>', 'the program that starts a stdio server')
      .option('--arg <a>', 'an argument of the command (repeatable, in order)', collect)
      .option('--env <K=V>', 'an environment variable for the command (repeatable; sealed)', collect)
      .option('--mcp-url <url>', "an http server's URL (Streamable HTTP)")
      .option('--header <K=V>', 'an HTTP header sent to it (repeatable; sealed)', collect),
  ).action(async (name: string, options: AddOptions) => {
    const input = serverInputFrom(name, options);
    assertBody<ApiRequestBody<'/api/mcp/servers', 'post'>>(mcpServerInputSchema, input);
    const result = await call(clientFor(program, options).POST('/api/mcp/servers', { body: input }));
    emit(options, result, () =>
      [
        `registered ${result.server.name} (${result.server.id})`,
        `its tools: agentos mcp tools ${result.server.name}`,
      ].join('\n'),
    );
  });

  withClientFlags(mcp.command('list').description("List the workspace's MCP servers")).action(
    async (options: ClientOptions) => {
      const result = await call(clientFor(program, options).GET('/api/mcp/servers'));
      const rows = result.servers.map((server) => ({
        name: server.name,
        transport: server.transport,
        target: targetOf(server),
        secrets: secretsOf(server),
        connection: server.connection.state,
        id: server.id,
      }));
      emit(options, result, () =>
        table(rows, ['name', 'transport', 'target', 'secrets', 'connection', 'id']),
      );
    },
  );

  withClientFlags(
    mcp.command('remove <server>').description('Remove an MCP server (by name or id); agents lose its tools'),
  ).action(async (server: string, options: ClientOptions) => {
    const result = await call(
      clientFor(program, options).DELETE('/api/mcp/servers/{id}', { params: { path: { id: server } } }),
    );
    emit(options, result, () => `removed ${result.server.name} (${result.server.id})`);
  });
}
