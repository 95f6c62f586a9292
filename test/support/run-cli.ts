import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const CLI_PATH = fileURLToPath(new URL('../../bin/agentos.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `agentos …` as a real child process. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { ...process.env, DATABASE_URL: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running CLI command and resolves once a stdout line matches. */
export function startCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; until: RegExp; timeoutMs?: number },
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { ...process.env, DATABASE_URL: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out waiting for ${options.until}; output so far:\n${out}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (options.until.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${options.until}:\n${out}`));
    });
  });
}

export interface ServedForTest {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The API's base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  /** The admin key printed on first start. */
  apiKey: string;
  output: () => string;
}

/** `agentos serve --json` on a free port in `cwd` (a fresh home), resolved once it listens. */
export async function startServeForTest(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ServedForTest> {
  const started = await startCli(['serve', '--json'], {
    cwd,
    env: { PORT: '0', ...env },
    until: /"event":"listening"/,
  });
  const lines = started
    .output()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
  return {
    ...started,
    url: lines.find((line) => line.event === 'listening')?.url ?? '',
    apiKey: lines.find((line) => line.event === 'first_start')?.apiKey ?? '',
  };
}

/**
 * `agentos …` against a served test instance, and its `--json` variant that expects a clean exit and
 * returns the parsed answer. The server is read lazily, so this can be built before `beforeAll` starts it.
 */
export function cliAgainst(server: () => ServedForTest, cwd: () => string) {
  const agentos = (args: readonly string[]) => runCli([...args, '--url', server().url], { cwd: cwd() });
  const json = async <T>(args: readonly string[]): Promise<T> => {
    const result = await agentos([...args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  return { agentos, json };
}
