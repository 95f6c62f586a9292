import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));

export interface ChaosProcess {
  child: ChildProcess;
  /** Resolves with the API URL (or null) once the process says it is ready. */
  ready: Promise<string | null>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts one chaos worker process (roles api,worker or worker). */
export function spawnChaosProcess(env: NodeJS.ProcessEnv): ChaosProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string | null>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line !== undefined) resolve((JSON.parse(line) as { url: string | null }).url);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`chaos process exited (${code ?? signal}) before ready: ${stderr}`)),
    );
  });
  ready.catch(() => {});
  return { child, ready, exited };
}
