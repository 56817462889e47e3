/**
 * An application signing in through Portcullis is waiting for this user (they came here from the
 * step-up page to add a second factor): once they have, "Continue to the application" takes them
 * back to that sign-in, which asks them to verify with it.
 */
import { useState } from 'react';
import { peekReturnTo, takeReturnTo } from '../return-to';

export function ReturnToApplication() {
  const [waiting] = useState(peekReturnTo);
  if (!waiting) return null;
  return (
    <div role="status" className="alert alert-info">
      <p>
        An application you are signing in to is waiting. Add a second factor below, then continue.
      </p>
      <button
        type="button"
        className="button"
        onClick={() => window.location.assign(takeReturnTo() ?? waiting)}
      >
        Continue to the application
      </button>
    </div>
  );
}
