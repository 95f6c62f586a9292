import { useCallback, useEffect, useState } from 'react';
import { get, withQuery } from './client.ts';
import type { AuditEntry } from './types.ts';
import type { Loadable } from './use-api.ts';

const PAGE = 1_000;
const MAX_PAGES = 20;

/** The audit API pages forward from the oldest entry; the console reads to the end (up to 20 000) to show the newest. */
export function useAuditEntries(
  action: string,
): Loadable<{ entries: AuditEntry[]; truncated: boolean }> & { reload: () => void } {
  const [result, setResult] = useState<Loadable<{ entries: AuditEntry[]; truncated: boolean }>>({
    state: 'loading',
  });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useEffect(() => {
    void generation;
    const controller = new AbortController();
    setResult({ state: 'loading' });
    (async () => {
      const entries: AuditEntry[] = [];
      let after: number | null = 0;
      let pages = 0;
      while (after !== null && pages < MAX_PAGES) {
        const page: { entries: AuditEntry[]; next: number | null } = await get(
          withQuery('/api/audit', { action, after, limit: PAGE }),
          controller.signal,
        );
        entries.push(...page.entries);
        after = page.next;
        pages += 1;
      }
      return { entries: entries.reverse(), truncated: after !== null };
    })().then(
      (data) => setResult({ state: 'ready', data }),
      (error: unknown) => {
        if (!controller.signal.aborted)
          setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [action, generation]);
  return { ...result, reload };
}
