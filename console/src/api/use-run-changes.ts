import { useEffect, useRef, useState } from 'react';

/** Changes within this long of the first (a run queued, started and its first step) cause one call. */
const COALESCE_MS = 300;

export type LiveState = 'connecting' | 'live' | 'lost';

/**
 * Follows `GET /api/runs/changes` (SSE, cookie-authenticated): `onChange` is called after runs the user may
 * read changed, and on every (re)connection, since changes may have happened while it was closed. Answers
 * whether the stream is open (`lost` while the browser tries again).
 */
export function useRunChanges(onChange: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Not reset by later changes: a steady stream of steps still re-reads the list every COALESCE_MS.
    const changed = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        latest.current();
      }, COALESCE_MS);
    };
    // The browser reconnects on its own, sending the last event id it saw.
    const source = new EventSource('/api/runs/changes');
    source.onopen = () => {
      setState('live');
      changed();
    };
    source.onerror = () => setState('lost');
    source.addEventListener('run', changed);
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, []);
  return state;
}
