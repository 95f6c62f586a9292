import { Worker } from 'node:worker_threads';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { SANDBOX_PRELUDE } from './sandbox-prelude.ts';

const WORKER = new URL('./sandbox-worker.mjs', import.meta.url);

export interface SandboxLimits {
  /** CPU time the code may use; QuickJS's interrupt handler stops it past this. */
  cpuMs: number;
  /** The sandbox's heap; an allocation past it fails inside the sandbox. */
  memoryBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { cpuMs: 5_000, memoryBytes: 64 * 1024 * 1024 };

export interface SandboxResult {
  /** The value of the code's last expression, as JSON carries it. */
  value: unknown;
  logs: string[];
  charts: Array<{ name: string; svg: string }>;
  cpuMs: number;
}

type WorkerAnswer =
  | ({ ok: true } & SandboxResult)
  | { ok: false; kind: 'timeout' | 'memory' | 'error'; message: string };

/** Time for the worker to start and load the WASM module, beyond the code's own CPU limit. */
const START_MS = 5_000;

/**
 * Runs JavaScript in QuickJS (WebAssembly) on a worker thread: no network, no modules, no filesystem, only
 * `globals` as JSON. The worker is terminated if it outlives the CPU limit by the start allowance (a hung
 * host call, a limit QuickJS did not see), so the caller always gets an answer and the main thread never
 * runs the code.
 */
export function runInSandbox(
  code: string,
  globals: Record<string, unknown>,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
  signal?: AbortSignal,
): Promise<SandboxResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: {
        code,
        prelude: SANDBOX_PRELUDE,
        globals,
        limits: { cpuMs: limits.cpuMs, memoryBytes: limits.memoryBytes, stackBytes: 1024 * 1024 },
      },
      // The host side of the worker (its JSON, not the sandbox's heap, which QuickJS bounds).
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(kill);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const kill = setTimeout(
      () =>
        finish(() =>
          reject(
            new AgentOsError(
              'code.timeout',
              `The code ran past its ${limits.cpuMs} ms CPU limit and was stopped`,
            ),
          ),
        ),
      limits.cpuMs + START_MS,
    );
    const onAbort = () => finish(() => reject(new AgentOsError('run.cancelled', 'The call was cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (answer: WorkerAnswer) =>
      finish(() => {
        if (answer.ok) {
          resolve({ value: answer.value, logs: answer.logs, charts: answer.charts, cpuMs: answer.cpuMs });
          return;
        }
        const code =
          answer.kind === 'timeout'
            ? 'code.timeout'
            : answer.kind === 'memory'
              ? 'code.memory_limit'
              : 'code.failed';
        reject(new AgentOsError(code, answer.message));
      }),
    );
    worker.on('error', (error) =>
      finish(() =>
        reject(
          /ERR_WORKER_OUT_OF_MEMORY/.test(String((error as { code?: string }).code))
            ? new AgentOsError('code.memory_limit', 'The code passed its memory limit and was stopped')
            : new AgentOsError('code.failed', `The sandbox failed: ${error.message}`),
        ),
      ),
    );
    worker.on('exit', () =>
      finish(() => reject(new AgentOsError('code.failed', 'The sandbox stopped without an answer'))),
    );
  });
}
