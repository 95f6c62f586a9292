import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOsError } from '../errors/agent-os-error.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const LOCK_FILE = 'agentos.lock';

/** The pid holding the data directory's lock, when that process is alive. */
export function lockHolder(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const holder = Number.parseInt(text, 10);
  return Number.isInteger(holder) && isAlive(holder) ? holder : undefined;
}

/**
 * One process at a time may open an embedded data directory: two PGlite instances on one
 * directory corrupt it. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new AgentOsError(
          'store.unreachable',
          `The embedded store in ${dataDir} is in use by process ${holder} (probably "agentos serve"). ` +
            'Stop it, or use the HTTP API while it runs.',
          { pid: holder },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new AgentOsError('store.unreachable', `Could not lock the embedded store in ${dataDir}`);
}
