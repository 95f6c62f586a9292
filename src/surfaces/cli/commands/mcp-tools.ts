import type { Command } from 'commander';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { canonicalToolName } from '../../../core/tools/tool-name.ts';
import {
  type ArgumentRole,
  argumentRoleSchema,
  toolOverrideSchema,
} from '../../../plugins/mcp/mcp-server-repo.ts';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { assertBody } from '../checked-body.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { flagChoice, optionalFlagChoice } from '../flag-choice.ts';
import { collect } from '../key-value-flag.ts';
import { emit, table } from '../output.ts';

interface LabelOptions extends ClientOptions {
  effect?: string;
  stakes?: string;
  trustedOutput?: boolean;
  untrustedOutput?: boolean;
  role?: string[];
  clearRoles?: boolean;
  trustedField?: string[];
  clearTrustedFields?: boolean;
}

type McpTool = ApiSchemas['McpTool'];
type ToolLabels = ApiRequestBody<'/api/mcp/servers/{id}/tools/{tool}', 'patch'>;

/** `--role arg=none` takes an argument's role away. */
const NO_ROLE = 'none';

const rolesText = (roles: Record<string, string>): string =>
  Object.entries(roles)
    .map(([argument, role]) => `${argument}=${role}`)
    .join(',') || '-';

const toolRows = (tools: readonly McpTool[]) =>
  tools.map((tool) => ({
    tool: tool.qualifiedName,
    effect: tool.effect,
    stakes: tool.stakes,
    trustedOutput: tool.trustedOutput ? 'yes' : 'no',
    roles: rolesText(tool.argumentRoles),
    destinations: tool.destinations.join(',') || '-',
    trustedFields: tool.trustedFields.join(',') || '-',
  }));
const TOOL_COLUMNS = ['tool', 'effect', 'stakes', 'trustedOutput', 'roles', 'destinations', 'trustedFields'];

async function toolsOf(client: CliClient, server: string): Promise<McpTool[]> {
  const result = await call(client.GET('/api/mcp/servers/{id}/tools', { params: { path: { id: server } } }));
  return result.tools;
}

/** Each `--role arg=role` as [argument, role], `none` as [argument, null] (it takes the role away). */
function roleEditsFrom(values: readonly string[] | undefined): Array<[string, ArgumentRole | null]> {
  return (values ?? []).map((value) => {
    const at = value.indexOf('=');
    if (at <= 0) throw new AgentOsError('request.invalid', `--role takes ARGUMENT=ROLE, got "${value}"`);
    const argument = value.slice(0, at);
    const role = value.slice(at + 1);
    return [argument, role === NO_ROLE ? null : flagChoice(argumentRoleSchema, role, `--role ${argument}`)];
  });
}

/** The labels the flags give, checked before anything is asked of the server; roles still to be merged. */
function labelFlags(options: LabelOptions) {
  if (options.trustedOutput === true && options.untrustedOutput === true) {
    throw new AgentOsError('request.invalid', 'give --trusted-output or --untrusted-output, not both');
  }
  const effect = optionalFlagChoice(toolOverrideSchema.shape.effect.unwrap(), options.effect, '--effect');
  const stakes = optionalFlagChoice(toolOverrideSchema.shape.stakes.unwrap(), options.stakes, '--stakes');
  const trustedOutput =
    options.trustedOutput === true ? true : options.untrustedOutput === true ? false : undefined;
  const roleEdits = roleEditsFrom(options.role);
  const clearRoles = options.clearRoles === true;
  if (options.clearTrustedFields === true && options.trustedField !== undefined) {
    throw new AgentOsError('request.invalid', 'give --trusted-field or --clear-trusted-fields, not both');
  }
  const trustedFields = options.clearTrustedFields === true ? [] : options.trustedField;
  if (
    [effect, stakes, trustedOutput, trustedFields].every((v) => v === undefined) &&
    roleEdits.length === 0 &&
    !clearRoles
  ) {
    throw new AgentOsError(
      'request.invalid',
      'nothing to label: give --effect, --stakes, --trusted-output, --untrusted-output, --trusted-field, ' +
        '--clear-trusted-fields, --role or --clear-roles',
    );
  }
  const fixed = {
    ...(effect === undefined ? {} : { effect }),
    ...(stakes === undefined ? {} : { stakes }),
    ...(trustedOutput === undefined ? {} : { trustedOutput }),
    ...(trustedFields === undefined ? {} : { trustedFields }),
  };
  assertBody<ToolLabels>(toolOverrideSchema, fixed);
  return { fixed, roleEdits, clearRoles };
}

/** The PATCH body: the roles after `--clear-roles` and the `--role` edits, on top of the tool's current ones. */
function labelsFor(flags: ReturnType<typeof labelFlags>, tool: McpTool): ToolLabels {
  const { fixed, roleEdits, clearRoles } = flags;
  if (roleEdits.length === 0 && !clearRoles) return fixed;
  const roles: Record<string, ArgumentRole> = clearRoles ? {} : { ...tool.argumentRoles };
  for (const [argument, role] of roleEdits) {
    if (role === null) delete roles[argument];
    else roles[argument] = role;
  }
  const labels = { ...fixed, argumentRoles: roles };
  assertBody<ToolLabels>(toolOverrideSchema, labels);
  return labels;
}

function findTool(tools: readonly McpTool[], server: string, name: string): McpTool {
  const tool = tools.find((t) => t.name === name || t.qualifiedName === canonicalToolName(name));
  if (tool !== undefined) return tool;
  throw new AgentOsError(
    'resource.not_found',
    `The MCP server "${server}" has no tool "${name}" (its tools: ${tools.map((t) => t.name).join(', ') || 'none'})`,
  );
}

/** `agentos mcp tools | label`: a server's tools with their effective labels, and an operator's labels. */
export function registerMcpToolCommands(mcp: Command, program: Command): void {
  withClientFlags(
    mcp
      .command('tools <server>')
      .description("A server's tools with their effective effect, stakes, trusted output and argument roles"),
  ).action(async (server: string, options: ClientOptions) => {
    const tools = await toolsOf(clientFor(program, options), server);
    emit(options, { tools }, () => table(toolRows(tools), TOOL_COLUMNS));
  });

  withClientFlags(
    mcp
      .command('label <server> <tool>')
      .description("Label a server's tool for the policy (admins); what is not given stays as it was")
      .option('--effect <effect>', 'read, write, external_send or destructive')
      .option('--stakes <stakes>', 'low, medium or high')
      .option('--trusted-output', "its output is the workspace's own data: it does not taint a run")
      .option('--untrusted-output', 'its output is content from outside (the default)')
      .option(
        '--trusted-field <path>',
        "a field of its output that is the system's own data, e.g. '[].name' (repeatable; replaces the list)",
        collect,
      )
      .option('--clear-trusted-fields', 'no field of its output is trusted')
      .option(
        '--role <argument=role>',
        'what an argument means: destination, recipient, amount, path, secret, or none (repeatable)',
        collect,
      )
      .option('--clear-roles', 'drop the roles set before (then --role adds to none)'),
  ).action(async (server: string, toolName: string, options: LabelOptions) => {
    const flags = labelFlags(options);
    const client = clientFor(program, options);
    const tool = findTool(await toolsOf(client, server), server, toolName);
    const labels = labelsFor(flags, tool);
    await call(
      client.PATCH('/api/mcp/servers/{id}/tools/{tool}', {
        params: { path: { id: server, tool: tool.name } },
        body: labels,
      }),
    );
    const labelled = findTool(await toolsOf(client, server), server, tool.name);
    emit(options, { tool: labelled }, () =>
      [
        `labelled ${labelled.qualifiedName}`,
        `  effect:         ${labelled.effect}`,
        `  stakes:         ${labelled.stakes}`,
        `  trusted output: ${labelled.trustedOutput ? 'yes' : 'no'}`,
        `  trusted fields: ${labelled.trustedFields.join(', ') || '-'}`,
        `  argument roles: ${rolesText(labelled.argumentRoles)}`,
      ].join('\n'),
    );
  });
}
