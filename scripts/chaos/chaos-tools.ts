import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineTool, type ReconcileResult } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';

/** Every execution of a chaos tool appends one line here: `<tool>\t<idempotencyKey>`. No uniqueness. */
export const EFFECT_LOG = 'effects.log';
export const KILL_LOG = 'kills.log';

export type KillPoint = 'before_effect' | 'after_effect' | 'after_commit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The two side-effecting tools the chaos runs call: one idempotent, one not (with a reconcile). */
export function chaosTools(dir: string, maybeDie: (point: KillPoint) => void): ToolRegistry {
  const log = join(dir, EFFECT_LOG);
  const effect = async (tool: string, key: string) => {
    await sleep(Math.random() * 40);
    maybeDie('before_effect');
    appendFileSync(log, `${tool}\t${key}\n`);
    maybeDie('after_effect');
    await sleep(Math.random() * 40);
    return { done: tool, key };
  };
  const args = z.object({ query: z.string() });
  return new ToolRegistry([
    defineTool({
      name: 'effect_idem',
      description: 'An idempotent side effect (safe to repeat with the same key)',
      inputSchema: args,
      idempotent: true,
      trustedOutput: true,
      execute: (_input, ctx) => effect('effect_idem', ctx.idempotencyKey),
    }),
    defineTool({
      name: 'effect_once',
      description: 'A side effect that must happen once per call',
      inputSchema: args,
      idempotent: false,
      trustedOutput: true,
      execute: (_input, ctx) => effect('effect_once', ctx.idempotencyKey),
      reconcile: async (ctx): Promise<ReconcileResult> => {
        const happened =
          existsSync(log) &&
          readFileSync(log, 'utf8').split('\n').includes(`effect_once\t${ctx.idempotencyKey}`);
        return happened
          ? { executed: true, output: { done: 'effect_once', key: ctx.idempotencyKey } }
          : { executed: false };
      },
    }),
  ]);
}

export function killLogger(dir: string, probability: number): (point: KillPoint) => void {
  return (point) => {
    if (probability <= 0 || Math.random() >= probability) return;
    appendFileSync(join(dir, KILL_LOG), `${point}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}
