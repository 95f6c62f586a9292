import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/test-stores.ts';

const CHAOS = fileURLToPath(new URL('../../scripts/chaos.ts', import.meta.url));

/** Runs the chaos script (real worker processes, real SIGKILLs) at a small scale and returns its JSON line. */
function chaos(databaseUrl: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHAOS, ...args, '--json', '--quiet'], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`chaos printed no JSON line:\n${out}\n${err}`));
      }
    });
  });
}

describe('chaos smoke: SIGKILLed workers lose no run and duplicate no side effect', () => {
  it('on PGlite, restarting the single process', async () => {
    const result = await chaos('', ['--runs', '10', '--kills', '4', '--concurrency', '4']);
    expect(result).toMatchObject({
      store: 'pglite',
      lost: 0,
      duplicatedEffects: 0,
      stuck: 0,
      missingEffects: 0,
    });
    expect(result.kills).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it.runIf(testDatabaseUrl !== undefined)(
    'on PostgreSQL, with several worker processes',
    async () => {
      const result = await chaos(testDatabaseUrl!, ['--runs', '20', '--kills', '8', '--workers', '2']);
      expect(result).toMatchObject({
        store: 'postgres',
        lost: 0,
        duplicatedEffects: 0,
        stuck: 0,
        missingEffects: 0,
      });
      expect(result.kills).toBeGreaterThanOrEqual(8);
    },
    180_000,
  );
});
