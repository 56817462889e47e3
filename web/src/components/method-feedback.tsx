import { useEffect, useRef } from 'react';

/** The outcome of a change in a security section, announced and focused once it shows. */
export function MethodFeedback({ message }: { message: string }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  if (!message) return null;
  return (
    <p ref={ref} tabIndex={-1} role="status" className="alert alert-success">
      {message}
    </p>
  );
}
