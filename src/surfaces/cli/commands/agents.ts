import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { agentDefinitionSchema } from '../../../core/agents/agent-definition.ts';
import { agentPatchSchema } from '../../../core/agents/agent-repo.ts';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { assertBody } from '../checked-body.ts';
import { type ClientOptions, clientFor as clientForProgram, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

interface DefinitionOptions extends ClientOptions {
  file?: string;
  name?: string;
  description?: string;
  model?: string;
  instructions?: string;
  tool?: string[];
  maxSteps?: string;
}

type Agent = ApiSchemas['Agent'];

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  }
  return Number(value);
}

function readDefinitionFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${path} must hold a JSON object (an agent definition)`);
  }
  return { ...parsed };
}

/** The file's fields (if any) with the flags on top; `limits` merges key by key. */
function definitionFrom(options: DefinitionOptions): Record<string, unknown> {
  const maxSteps = positiveInt(options.maxSteps, '--max-steps');
  const out = options.file === undefined ? {} : readDefinitionFile(options.file);
  const flags = {
    name: options.name,
    description: options.description,
    model: options.model,
    instructions: options.instructions,
    tools: options.tool,
  };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) out[key] = value;
  if (maxSteps !== undefined) {
    const limits = out.limits;
    const base = typeof limits === 'object' && limits !== null && !Array.isArray(limits) ? limits : {};
    out.limits = { ...base, maxSteps };
  }
  return out;
}

function describeAgent(agent: Agent): string {
  const { definition } = agent;
  return [
    `${agent.name} (version ${agent.version}, id ${agent.id})`,
    `  description:  ${definition.description}`,
    `  model:        ${definition.model}`,
    `  tools:        ${definition.tools.length === 0 ? '(none)' : definition.tools.join(', ')}`,
    `  limits:       ${JSON.stringify(definition.limits)}`,
    `  updated:      ${agent.updatedAt}`,
    ...(definition.instructions === '' ? [] : ['  instructions:', ...indent(definition.instructions)]),
  ].join('\n');
}

const indent = (text: string): string[] => text.split('\n').map((line) => `    ${line}`);

const rowsOf = (agents: readonly Agent[]) =>
  agents.map((agent) => ({
    name: agent.name,
    version: agent.version,
    model: agent.definition.model,
    id: agent.id,
    updatedAt: agent.updatedAt,
  }));

function withDefinitionFlags(command: Command): Command {
  return command
    .option('--file <path>', 'agent definition as JSON (flags override its fields)')
    .option('--name <name>', 'agent name: lowercase letters, digits and dashes')
    .option('--description <text>', 'what the agent is for')
    .option('--model <provider:model>', 'e.g. openai:gpt-4o-mini')
    .option('--instructions <text>', 'system instructions')
    .option('--tool <name>', 'a tool the agent may call (repeatable)', collect)
    .option('--max-steps <n>', 'model turns before the run ends as budget_exceeded');
}

export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('Manage agent definitions on a running server');
  const clientFor = (options: ClientOptions) => clientForProgram(program, options);

  withClientFlags(agents.command('list').description('List the live agents of the workspace')).action(
    async (options: ClientOptions) => {
      const result = await call(clientFor(options).GET('/api/agents'));
      emit(options, result, () =>
        table(rowsOf(result.agents), ['name', 'version', 'model', 'id', 'updatedAt']),
      );
    },
  );

  withClientFlags(
    agents
      .command('show <name>')
      .description('Show an agent (its latest version unless --agent-version is given)')
      // `--version` is taken by the root command (it prints the CLI version wherever it appears).
      .option('--agent-version <n>', 'a specific version'),
  ).action(async (name: string, options: ClientOptions & { agentVersion?: string }) => {
    const version = positiveInt(options.agentVersion, '--agent-version');
    const query = version === undefined ? {} : { version: String(version) };
    const result = await call(
      clientFor(options).GET('/api/agents/{idOrName}', { params: { path: { idOrName: name }, query } }),
    );
    emit(options, result, () => describeAgent(result.agent));
  });

  withClientFlags(
    withDefinitionFlags(agents.command('create').description('Create an agent from --file and/or flags')),
  ).action(async (options: DefinitionOptions) => {
    const definition = definitionFrom(options);
    const missing = ['name', 'description', 'model'].filter((key) => definition[key] === undefined);
    if (missing.length > 0) {
      throw new UsageError(`missing ${missing.map((key) => `--${key}`).join(', ')} (or give them in --file)`);
    }
    assertBody<ApiRequestBody<'/api/agents', 'post'>>(agentDefinitionSchema, definition);
    const result = await call(clientFor(options).POST('/api/agents', { body: definition }));
    emit(
      options,
      result,
      () => `created ${result.agent.name} version ${result.agent.version} (${result.agent.id})`,
    );
  });

  withClientFlags(
    withDefinitionFlags(
      agents.command('update <name>').description('Store a new version with the given fields changed'),
    ),
  ).action(async (name: string, options: DefinitionOptions) => {
    const patch = definitionFrom(options);
    if (Object.keys(patch).length === 0) {
      throw new UsageError('nothing to update: give --file or at least one field flag (e.g. --model)');
    }
    assertBody<ApiRequestBody<'/api/agents/{idOrName}', 'patch'>>(agentPatchSchema, patch);
    const result = await call(
      clientFor(options).PATCH('/api/agents/{idOrName}', {
        params: { path: { idOrName: name } },
        body: patch,
      }),
    );
    emit(options, result, () => `updated ${result.agent.name} to version ${result.agent.version}`);
  });

  withClientFlags(
    agents.command('delete <name>').description('Delete an agent (its versions stay for past runs)'),
  ).action(async (name: string, options: ClientOptions) => {
    const result = await call(
      clientFor(options).DELETE('/api/agents/{idOrName}', { params: { path: { idOrName: name } } }),
    );
    emit(options, result, () => `deleted ${result.agent.name} (${result.agent.id})`);
  });

  withClientFlags(agents.command('versions <name>').description('List every version of an agent')).action(
    async (name: string, options: ClientOptions) => {
      const result = await call(
        clientFor(options).GET('/api/agents/{idOrName}/versions', {
          params: { path: { idOrName: name } },
        }),
      );
      emit(options, result, () =>
        table(rowsOf(result.versions), ['name', 'version', 'model', 'id', 'updatedAt']),
      );
    },
  );
}
