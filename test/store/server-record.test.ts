import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/core/store/data-dir-lock.ts';
import { recordServer, runningServer, SERVER_RECORD_FILE } from '../../src/core/store/server-record.ts';
import { tempHome } from '../support/test-config.ts';

/** A pid that ran and has exited. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  return new Promise((resolve) => child.on('close', () => resolve(child.pid ?? 0)));
}

describe('the server record beside an embedded data directory', () => {
  it('names the process that holds the lock, and is removed by it', () => {
    const dataDir = tempHome();
    const unlock = lockDataDir(dataDir);
    const forget = recordServer(dataDir, 'http://127.0.0.1:7070');
    expect(runningServer(dataDir)).toEqual({
      pid: process.pid,
      url: 'http://127.0.0.1:7070',
      startedAt: expect.any(String),
    });
    forget();
    expect(existsSync(join(dataDir, SERVER_RECORD_FILE))).toBe(false);
    expect(runningServer(dataDir)).toBeUndefined();
    unlock();
  });

  it('is ignored without the lock, when its pid is dead, or when it is not a record', async () => {
    const dataDir = tempHome();
    recordServer(dataDir, 'http://127.0.0.1:7070');
    // Written, but nobody holds the data directory (the lock went with a stopped server).
    expect(runningServer(dataDir)).toBeUndefined();

    const pid = await deadPid();
    writeFileSync(join(dataDir, 'agentos.lock'), String(pid));
    writeFileSync(
      join(dataDir, SERVER_RECORD_FILE),
      JSON.stringify({ pid, url: 'http://127.0.0.1:7070', startedAt: new Date().toISOString() }),
    );
    expect(runningServer(dataDir)).toBeUndefined();

    const unlock = lockDataDir(dataDir);
    for (const text of [
      '{',
      '{"pid":"x"}',
      JSON.stringify({ pid: process.pid, url: 'ftp://h', startedAt: '' }),
    ]) {
      writeFileSync(join(dataDir, SERVER_RECORD_FILE), text);
      expect(runningServer(dataDir)).toBeUndefined();
    }
    unlock();
  });

  it("leaves another process's record in place", () => {
    const dataDir = tempHome();
    const forget = recordServer(dataDir, 'http://127.0.0.1:7070');
    const other = { pid: process.pid + 1, url: 'http://127.0.0.1:7071', startedAt: new Date().toISOString() };
    writeFileSync(join(dataDir, SERVER_RECORD_FILE), JSON.stringify(other));
    forget();
    expect(existsSync(join(dataDir, SERVER_RECORD_FILE))).toBe(true);
  });
});
