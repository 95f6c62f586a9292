import { Command, CommanderError } from 'commander';
import { AGENT_OS_VERSION } from '../../runtime/version.ts';
import { registerAgents } from './commands/agents.ts';
import { registerAudit } from './commands/audit.ts';
import { registerConversations } from './commands/conversations.ts';
import { registerDatabases } from './commands/databases.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEval } from './commands/eval.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMcp } from './commands/mcp.ts';
import { registerMemories } from './commands/memories.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPlans } from './commands/plans.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { registerServe } from './commands/serve.ts';
import { registerSkills } from './commands/skills.ts';
import { registerSources } from './commands/sources.ts';
import { registerSpaces } from './commands/spaces.ts';
import { registerTop } from './commands/top.ts';
import { registerUsage } from './commands/usage.ts';
import { registerUsers } from './commands/users.ts';
import { registerWorker } from './commands/worker.ts';
import { registerWorkspaces } from './commands/workspaces.ts';
import { reportError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('agentos')
    .description('Agent OS: an operating system for AI agents')
    .version(AGENT_OS_VERSION)
    .option('--config <path>', 'config file (default: ./agentos.config.json if present)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerServe(program);
  registerWorker(program);
  registerMcp(program);
  registerDatabases(program);
  registerRun(program);
  registerRuns(program);
  registerConversations(program);
  registerPlans(program);
  registerTop(program);
  registerMigrate(program);
  registerDoctor(program);
  registerKeys(program);
  registerWorkspaces(program);
  registerUsers(program);
  registerAgents(program);
  registerMemories(program);
  registerSpaces(program);
  registerSources(program);
  registerSkills(program);
  registerAudit(program);
  registerUsage(program);
  registerEval(program);
  for (const command of program.commands) applyToTree(command);
  return program;
}

function applyToTree(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) applyToTree(sub);
}

/** Runs the CLI; resolves to the exit code. Usage mistakes exit 2, failures 1. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    return reportError(error, argv.includes('--json'));
  }
}
