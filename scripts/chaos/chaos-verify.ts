import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EFFECT_LOG } from './chaos-tools.ts';

export interface CompletedToolStep {
  key: string;
  name: string;
  via: string;
}

export interface RunCounts {
  lost: number;
  stuck: number;
  succeeded: number;
  failed: number;
  /** Why runs that did not succeed ended, with counts. */
  failures: Record<string, number>;
}

export interface ChaosReport extends RunCounts {
  effects: number;
  duplicatedEffects: number;
  missingEffects: number;
}

export interface ChaosOutcome {
  store: 'pglite' | 'postgres';
  kills: number;
  killPoints: Record<string, number>;
  counts: RunCounts;
  steps: CompletedToolStep[];
  seconds: number;
}

/**
 * Duplicates: executions of the non-idempotent tool beyond one per idempotency key (one logical call);
 * the idempotent tool is counted by key, so repeating it with the same key is not a duplicate.
 * Missing: a journal step that says the tool ran, with no execution in the log.
 */
export function verifyEffects(
  dir: string,
  steps: readonly CompletedToolStep[],
): Omit<ChaosReport, keyof RunCounts> {
  const path = join(dir, EFFECT_LOG);
  const lines = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
  const perKey = new Map<string, number>();
  for (const line of lines) perKey.set(line, (perKey.get(line) ?? 0) + 1);
  let duplicatedEffects = 0;
  for (const [line, count] of perKey) if (line.startsWith('effect_once\t')) duplicatedEffects += count - 1;
  const missingEffects = steps.filter(
    (step) =>
      (step.via === 'executed' || step.via === 'reconciled') && !perKey.has(`${step.name}\t${step.key}`),
  ).length;
  return { effects: lines.length, duplicatedEffects, missingEffects };
}

export function tallyKillPoints(dir: string, external: number): Record<string, number> {
  const path = join(dir, 'kills.log');
  const points: Record<string, number> = { external };
  if (!existsSync(path)) return points;
  for (const line of readFileSync(path, 'utf8').split('\n'))
    if (line !== '') points[line] = (points[line] ?? 0) + 1;
  return points;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const randomBetween = (low: number, high: number) => low + Math.floor(Math.random() * (high - low));
