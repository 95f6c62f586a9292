import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { lockHolder } from './data-dir-lock.ts';

export const SERVER_RECORD_FILE = 'server.json';

const serverRecordSchema = z.strictObject({
  pid: z.number().int().positive(),
  url: z.url({ protocol: /^https?$/ }),
  startedAt: z.string(),
});

/** Where the process holding an embedded data directory serves the API. */
export type ServerRecord = z.infer<typeof serverRecordSchema>;

/** The embedded store of a home (the data directory `openStore` uses without a database URL). */
export const embeddedDataDir = (home: string): string => join(home, 'pgdata');

/**
 * Written by `agentos serve` beside the data directory's lock, so a CLI command that would open the
 * locked store can ask the server instead. Returns the remover (it leaves another process's record).
 */
export function recordServer(dataDir: string, url: string): () => void {
  const path = join(dataDir, SERVER_RECORD_FILE);
  const record: ServerRecord = { pid: process.pid, url, startedAt: new Date().toISOString() };
  writeFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return () => {
    if (readServerRecord(dataDir)?.pid === process.pid) rmSync(path, { force: true });
  };
}

function readServerRecord(dataDir: string): ServerRecord | undefined {
  try {
    const parsed = serverRecordSchema.safeParse(
      JSON.parse(readFileSync(join(dataDir, SERVER_RECORD_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The server holding this data directory now: its record names a live process that also holds the lock.
 * A record left by a dead process (killed, or the pid reused by another) is ignored.
 */
export function runningServer(dataDir: string): ServerRecord | undefined {
  const record = readServerRecord(dataDir);
  if (record === undefined) return undefined;
  return lockHolder(dataDir) === record.pid ? record : undefined;
}
