import { execFile } from 'node:child_process';

const STDERR_TAIL_CHARS = 1_000;

/** Transports git may use for a source: never `ext::` (runs a command) or other remote helpers. */
const ALLOWED_PROTOCOLS = 'file:http:https:ssh:git';

export interface GitRunOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Output larger than this fails the command. */
  maxOutputBytes: number;
}

export class GitCommandError extends Error {
  readonly exitCode: number | string | null;
  readonly stderr: string;

  constructor(message: string, exitCode: number | string | null, stderr: string) {
    super(message);
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Runs the system `git` binary without a shell. Prompts are off (a missing credential fails instead of
 * hanging), only the allowed transports work, and hooks never run in the cache repository.
 */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.hooksPath=/dev/null', ...args],
      {
        encoding: 'buffer',
        maxBuffer: options.maxOutputBytes,
        timeout: options.timeoutMs,
        signal: options.signal,
        windowsHide: true,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
          GCM_INTERACTIVE: 'never',
          GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
          LC_ALL: 'C',
        },
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        if (options.signal.aborted) {
          reject(options.signal.reason);
          return;
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new GitCommandError(
              'The git binary is not installed on this machine (git sources need it)',
              null,
              '',
            ),
          );
          return;
        }
        const tail = stderr.toString('utf8').trim().slice(-STDERR_TAIL_CHARS);
        const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
        const reason = error.killed ? `timed out after ${options.timeoutMs} ms` : tail || error.message;
        reject(new GitCommandError(`git ${args[0] ?? ''} failed: ${reason}`, code, tail));
      },
    );
  });
}
