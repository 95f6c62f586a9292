// The goals of issue 18, per store: which headline figure they bound and whether this run met them.
import type { BenchStoreKind } from './bench-store.ts';
import type { Headline } from './summary.ts';

export interface Goal {
  figure: keyof Headline;
  text: string;
  /** Null when the goal does not apply to the store. */
  bound(store: BenchStoreKind): { max?: number; min?: number } | null;
}

/** A heap that grows by less than this per run is flat: 10,000 runs would add under 1 MB. */
const FLAT_BYTES_PER_RUN = 100;

export const GOALS: readonly Goal[] = [
  { figure: 'capacityMakespanRatio', text: '≤ 1.03', bound: () => ({ max: 1.03 }) },
  { figure: 'queue0MakespanRatio', text: '≤ 1.03', bound: () => ({ max: 1.03 }) },
  { figure: 'msPerCallRatioVsNaive', text: '≤ 1.2', bound: () => ({ max: 1.2 }) },
  {
    figure: 'peakRssRatioVsNaive',
    text: '≤ 1.3 (PGlite)',
    bound: (store) => (store === 'pglite' ? { max: 1.3 } : null),
  },
  { figure: 'interactiveP95Ratio', text: '≤ 1.3', bound: () => ({ max: 1.3 }) },
  { figure: 'fairnessJain', text: '≥ 0.95', bound: () => ({ min: 0.95 }) },
  {
    figure: 'addedStepP50Ms',
    text: '≤ 2 ms PGlite, ≤ 4 ms PostgreSQL',
    bound: (store) => ({ max: store === 'pglite' ? 2 : 4 }),
  },
  {
    figure: 'twoWorkerRatio',
    text: '≥ 1.7 (PostgreSQL)',
    bound: (store) => (store === 'postgres' ? { min: 1.7 } : null),
  },
  {
    figure: 'soakBytesPerRun',
    text: `flat: ≤ ${FLAT_BYTES_PER_RUN} B/run`,
    bound: () => ({ max: FLAT_BYTES_PER_RUN }),
  },
];

/** Per goal: met (true), missed (false), or not measured / not applicable (null). */
export function goalsMet(
  figures: Headline,
  store: BenchStoreKind,
): Partial<Record<keyof Headline, boolean | null>> {
  const met: Partial<Record<keyof Headline, boolean | null>> = {};
  for (const goal of GOALS) {
    const bound = goal.bound(store);
    const value = figures[goal.figure];
    if (bound === null || value === null) {
      met[goal.figure] = null;
      continue;
    }
    met[goal.figure] =
      (bound.max === undefined || value <= bound.max) && (bound.min === undefined || value >= bound.min);
  }
  return met;
}
