// Starts the neutral simulated inference server (../shared/bench/llm-sim) as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../../shared/bench/llm-sim/server.mjs', import.meta.url));

/** The simulator's flags (see its README); omitted ones keep the simulator's defaults. */
export interface SimFlags {
  slots?: number;
  ttftMs?: number;
  msPerToken?: number;
  prefillMsPer1kTokens?: number;
  rpm?: number;
  tpm?: number;
  queueLimit?: number;
  failRate?: number;
  seed?: number;
}

/** `GET /stats` of the simulator. */
export interface SimStats {
  requests: number;
  completed: number;
  rejected429: number;
  failed5xx: number;
  badRequests: number;
  disconnected: number;
  maxConcurrent: number;
  maxQueued: number;
  busySlotMs: number;
  firstStart: number | null;
  lastEnd: number | null;
  promptTokens: number;
  completionTokens: number;
  slots: number;
  inFlight: number;
  queued: number;
  slotUtilisation: number | null;
}

export interface SimServer {
  /** The OpenAI-compatible base URL, ending in `/v1`. */
  url: string;
  flags: SimFlags;
  stats(): Promise<SimStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const FLAG_NAMES: Record<keyof SimFlags, string> = {
  slots: '--slots',
  ttftMs: '--ttft-ms',
  msPerToken: '--ms-per-token',
  prefillMsPer1kTokens: '--prefill-ms-per-1k-tokens',
  rpm: '--rpm',
  tpm: '--tpm',
  queueLimit: '--queue-limit',
  failRate: '--fail-rate',
  seed: '--seed',
};

export function simArgs(flags: SimFlags): string[] {
  const args = ['--port', '0'];
  for (const [key, flag] of Object.entries(FLAG_NAMES) as Array<[keyof SimFlags, string]>) {
    const value = flags[key];
    if (value !== undefined) args.push(flag, String(value));
  }
  return args;
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let errors = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      child.stdout?.off('data', onData);
      try {
        resolve((JSON.parse(buffer.slice(0, newline)) as { url: string }).url);
      } catch (error) {
        reject(error);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    child.once('exit', (code) =>
      reject(new Error(`llm-sim exited with ${code} before it was ready: ${errors}`)),
    );
  });
}

/** A fresh simulator process (fresh /stats) with these flags. */
export async function startSim(flags: SimFlags): Promise<SimServer> {
  const child = spawn(process.execPath, [SERVER, ...simArgs(flags)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitForUrl(child);
  const root = url.replace(/\/v1\/?$/, '');
  return {
    url,
    flags,
    stats: async () => (await (await fetch(`${root}/stats`)).json()) as SimStats,
    reset: async () => {
      await (await fetch(`${root}/stats/reset`, { method: 'POST' })).arrayBuffer();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
