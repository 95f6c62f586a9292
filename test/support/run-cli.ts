import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
export async function startServeForTest(cwd: string): Promise<ServedForTest> {
  const started = await startCli(['serve', '--json'], {
    cwd,
    env: { PORT: '0' },
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
