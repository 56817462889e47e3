import { useCallback, useEffect, useState } from 'react';

export type Load<T> =
  { state: 'loading' } | { state: 'ready'; data: T } | { state: 'failed'; error: unknown };

/** Loads data on mount; `reload()` fetches again and keeps showing the old data meanwhile. */
export function useLoad<T>(load: () => Promise<T>): [Load<T>, () => Promise<void>] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });

  const reload = useCallback(async () => {
    try {
      setResult({ state: 'ready', data: await load() });
    } catch (error) {
      setResult({ state: 'failed', error });
    }
  }, [load]);

  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setResult({ state: 'ready', data }),
      (error: unknown) => live && setResult({ state: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [load]);

  return [result, reload];
}
