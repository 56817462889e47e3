import { useEffect, useRef } from 'react';

/** After an error, move focus to the first input marked invalid so it can be corrected. */
export function useFocusInvalid(error: unknown) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!error) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  return formRef;
}
