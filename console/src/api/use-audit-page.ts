import { useCallback, useEffect, useState } from 'react';
import { get, withQuery } from './client.ts';
import type { AuditPage } from './types.ts';
import type { Loadable } from './use-api.ts';

export const AUDIT_PAGE_SIZE = 50;

type Loaded = { path: string; result: Loadable<AuditPage> };

/**
 * The audit log a page at a time, newest first. Older pages are asked with the `before` cursor the API
 * returns; the cursors of the pages already passed are kept, so Newer goes back to exactly the page seen.
 * While another page loads the last one stays on screen, marked `busy`.
 */
export function useAuditPage(action: string): Loadable<AuditPage> & {
  reload: () => void;
  busy: boolean;
  /** The page number, from 1 (the newest entries). */
  pageNumber: number;
  older: (() => void) | undefined;
  newer: (() => void) | undefined;
} {
  // cursors[i] is the `before` of page i + 1; the first page has none.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [loaded, setLoaded] = useState<Loaded>({ path: '', result: { state: 'loading' } });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useEffect(() => {
    void action;
    setCursors([undefined]);
  }, [action]);
  const path = withQuery('/api/audit', { action, before: cursors.at(-1), limit: AUDIT_PAGE_SIZE });
  useEffect(() => {
    void generation;
    const controller = new AbortController();
    get<AuditPage>(path, controller.signal).then(
      (data) => setLoaded({ path, result: { state: 'ready', data } }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        setLoaded({ path, result: { state: 'error', error: failure } });
      },
    );
    return () => controller.abort();
  }, [path, generation]);
  const busy = loaded.path !== path;
  const next = !busy && loaded.result.state === 'ready' ? loaded.result.data.next : null;
  const older = useCallback(() => {
    if (next !== null) setCursors((stack) => [...stack, next]);
  }, [next]);
  const newer = useCallback(() => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)), []);
  return {
    ...loaded.result,
    reload,
    busy,
    pageNumber: cursors.length,
    older: next === null ? undefined : older,
    newer: !busy && cursors.length > 1 ? newer : undefined,
  };
}
