import { useCallback, useEffect, useState } from 'react';
import { get } from './client.ts';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; error: Error }
  | { state: 'ready'; data: T };

/** GETs `path` (again when it changes or on reload()); every page shows its loading and error states from this. */
export function useApi<T>(path: string | undefined): Loadable<T> & { reload: () => void } {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    if (path === undefined) return;
    // `generation` is read so reload() refetches the same path.
    void generation;
    const controller = new AbortController();
    setResult((previous) => (previous.state === 'ready' ? previous : { state: 'loading' }));
    get<T>(path, controller.signal).then(
      (data) => setResult({ state: 'ready', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [path, generation]);

  return { ...result, reload };
}

/** Like useApi, but a 404 (an endpoint this server does not have) is "not available" rather than an error. */
export function isNotAvailable(error: Error): boolean {
  return 'status' in error && (error as { status: number }).status === 404;
}
