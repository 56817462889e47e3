import { useCallback, useRef, useState } from 'react';

/**
 * Runs one request at a time for a page: `pending` names the running action (for "Signing in…"
 * labels and disabled buttons), a second submit while one runs is ignored, and a thrown error is
 * kept in `error` for the page's alert.
 */
export function useAction<K extends string = 'submit'>() {
  const [pending, setPending] = useState<K | null>(null);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);

  const run = useCallback(async (name: K, action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setPending(name);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      running.current = false;
      setPending(null);
    }
  }, []);

  return { pending, busy: pending !== null, error, setError, run };
}
