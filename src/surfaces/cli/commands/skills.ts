import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSkillFile } from '../../../plugins/skills/skill-file.ts';
import { type ApiRequestBody, type ApiSchemas, call } from '../../client/agent-os-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type Skill = ApiSchemas['Skill'];
/** The content fields a skill file and the flags give; the name only comes from a file. */
type ContentFields = Partial<
  Pick<ApiRequestBody<'/api/skills', 'post'>, 'name' | 'description' | 'instructions' | 'tools' | 'knowledge'>
>;

interface ContentOptions extends ClientOptions {
  file?: string;
  description?: string;
  instructions?: string;
  tool?: string[];
  knowledge?: string[];
  space?: string;
  shared?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

function skillVersion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw new UsageError(`--skill-version must be a positive whole number`);
  return Number(value);
}

/** `?version=n` when --skill-version is given. */
const versionQuery = (version: number | undefined) =>
  version === undefined ? {} : { version: String(version) };

/** The file's content (a SKILL.md or JSON, validated here with the server's own parser) with the flags on top. */
function contentFrom(options: ContentOptions): ContentFields {
  const out: ContentFields = options.file === undefined ? {} : { ...parseSkillFile(readText(options.file)) };
  if (options.description !== undefined) out.description = options.description;
  if (options.instructions !== undefined) out.instructions = options.instructions;
  if (options.tool !== undefined) out.tools = options.tool;
  if (options.knowledge !== undefined) out.knowledge = options.knowledge;
  return out;
}

function describeSkill(skill: Skill): string {
  return [
    `${skill.name} (version ${skill.version} of ${skill.latestVersion}, id ${skill.id})`,
    `  description:  ${skill.description}`,
    `  space:        ${skill.spaceId ?? '(whole workspace)'}${skill.shared ? ', shared' : ''}`,
    `  tools:        ${skill.tools.length === 0 ? '(none)' : skill.tools.join(', ')}`,
    `  knowledge:    ${skill.knowledge.length === 0 ? '(none)' : skill.knowledge.join(', ')}`,
    `  updated:      ${skill.updatedAt}`,
    ...(skill.instructions === ''
      ? []
      : ['  instructions:', ...skill.instructions.split('\n').map((l) => `    ${l}`)]),
  ].join('\n');
}

const rowsOf = (skills: readonly Skill[]) =>
  skills.map((skill) => ({
    name: skill.name,
    version: skill.version,
    space: skill.spaceId ?? '(workspace)',
    shared: skill.shared,
    tools: skill.tools.join(','),
    updatedAt: skill.updatedAt,
  }));
const COLUMNS = ['name', 'version', 'space', 'shared', 'tools', 'updatedAt'];

function withContentFlags(command: Command): Command {
  return command
    .option('--file <path>', 'a SKILL.md (YAML front matter + instructions) or JSON file; flags override it')
    .option('--description <text>', 'what the skill is for')
    .option('--instructions <text>', 'instructions appended to the agent\'s under "Skill: <name>"')
    .option('--tool <name>', 'a tool the skill needs (repeatable)', collect)
    .option('--knowledge <source>', 'a knowledge source the skill relies on (repeatable)', collect)
    .option('--space <space>', 'the owning space (id or name)');
}

/** `agentos skills …`: named, versioned bundles of instructions, tools and knowledge that agents enable. */
export function registerSkills(program: Command): void {
  const client = (options: ClientOptions) => clientFor(program, options);
  const skills = program
    .command('skills')
    .description('Skills: versioned instructions + tools + knowledge that agents enable (server API)');

  withClientFlags(skills.command('list').description('The skills you see (latest versions)')).action(
    async (options: ClientOptions) => {
      const result = await call(client(options).GET('/api/skills'));
      emit(options, result, () => table(rowsOf(result.skills), COLUMNS));
    },
  );

  withClientFlags(
    skills
      .command('show <name>')
      .description('Show a skill (its latest version unless --skill-version is given)')
      .option('--skill-version <n>', 'a specific version'),
  ).action(async (name: string, options: ClientOptions & { skillVersion?: string }) => {
    const query = versionQuery(skillVersion(options.skillVersion));
    const result = await call(
      client(options).GET('/api/skills/{name}', { params: { path: { name }, query } }),
    );
    emit(options, result, () => describeSkill(result.skill));
  });

  withClientFlags(skills.command('versions <name>').description('Every version of a skill')).action(
    async (name: string, options: ClientOptions) => {
      const result = await call(
        client(options).GET('/api/skills/{name}/versions', { params: { path: { name } } }),
      );
      emit(options, result, () => table(rowsOf(result.versions), COLUMNS));
    },
  );

  withClientFlags(
    withContentFlags(skills.command('create').description('Create a skill from --file and/or flags'))
      .option('--name <name>', "the skill name (default: the file's)")
      .option('--shared', 'visible to the whole workspace, not only its space'),
  ).action(async (options: ContentOptions & { name?: string }) => {
    const content = contentFrom(options);
    const name = options.name ?? content.name;
    const { description } = content;
    if (name === undefined || description === undefined) {
      const missing = [
        ...(name === undefined ? ['--name'] : []),
        ...(description === undefined ? ['--description'] : []),
      ];
      throw new UsageError(`missing ${missing.join(', ')} (or give them in --file)`);
    }
    const body = {
      ...content,
      name,
      description,
      ...(options.space === undefined ? {} : { space: options.space }),
      ...(options.shared === undefined ? {} : { shared: options.shared }),
    };
    const result = await call(client(options).POST('/api/skills', { body }));
    emit(options, result, () => `created skill ${result.skill.name} version ${result.skill.version}`);
  });

  withClientFlags(
    withContentFlags(
      skills.command('update <name>').description('Store a new version with the given fields changed'),
    )
      .option('--workspace-wide', 'move the skill out of its space, to the whole workspace')
      .option('--shared', 'share it with the whole workspace')
      .option('--no-shared', 'visible only to those who see its space'),
  ).action(async (name: string, options: ContentOptions & { workspaceWide?: boolean }) => {
    const { name: named, ...content } = contentFrom(options);
    if (named !== undefined && named !== name) {
      throw new UsageError(`${options.file} is skill "${named}", not "${name}"`);
    }
    if (options.workspaceWide === true && options.space !== undefined) {
      throw new UsageError('give at most one of --space and --workspace-wide');
    }
    const patch = {
      ...content,
      ...(options.space === undefined ? {} : { space: options.space }),
      ...(options.workspaceWide === true ? { space: null } : {}),
      ...(options.shared === undefined ? {} : { shared: options.shared }),
    };
    if (Object.keys(patch).length === 0) {
      throw new UsageError('nothing to update: give --file or at least one field flag (e.g. --description)');
    }
    const result = await call(
      client(options).PATCH('/api/skills/{name}', { params: { path: { name } }, body: patch }),
    );
    emit(options, result, () => `skill ${result.skill.name} is at version ${result.skill.version}`);
  });

  withClientFlags(
    skills
      .command('export <name>')
      .description('Write a skill version as a SKILL.md file (to stdout without --out)')
      .option('--skill-version <n>', 'a specific version (default: the latest)')
      .option('--out <path>', 'the file to write'),
  ).action(async (name: string, options: ClientOptions & { skillVersion?: string; out?: string }) => {
    const query = versionQuery(skillVersion(options.skillVersion));
    // The route answers the SKILL.md itself unless asked for JSON ({fileName, content}).
    const result = await call(
      client(options).GET('/api/skills/{name}/export', {
        params: { path: { name }, query },
        headers: { accept: 'application/json' },
      }),
    );
    if (options.out === undefined) {
      if (options.json === true) emit(options, result, () => '');
      else process.stdout.write(result.content);
      return;
    }
    writeFileSync(options.out, result.content);
    emit(options, { ...result, path: options.out }, () => `wrote ${options.out}`);
  });

  withClientFlags(
    skills
      .command('import <file>')
      .description('Create a skill from a SKILL.md (or JSON) file, e.g. one exported elsewhere')
      .option('--name <name>', "import under this name instead of the file's")
      .option('--space <space>', 'the owning space (id or name)')
      .option('--shared', 'visible to the whole workspace, not only its space'),
  ).action(
    async (file: string, options: ClientOptions & { name?: string; space?: string; shared?: boolean }) => {
      const body = {
        file: readText(file),
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.space === undefined ? {} : { space: options.space }),
        ...(options.shared === undefined ? {} : { shared: options.shared }),
      };
      const result = await call(client(options).POST('/api/skills/import', { body }));
      emit(options, result, () => `imported skill ${result.skill.name} version ${result.skill.version}`);
    },
  );

  withClientFlags(
    skills
      .command('rm <name>')
      .description('Delete a skill (agents enabling it cannot run until they drop it)'),
  ).action(async (name: string, options: ClientOptions) => {
    const result = await call(client(options).DELETE('/api/skills/{name}', { params: { path: { name } } }));
    emit(options, result, () => `deleted skill ${result.skill.name}`);
  });
}
