import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import { isApiError } from '../api';
import { errorText } from '../error-text';
import type { Load } from '../hooks/use-load';
import type { SignInState } from '../pages/sign-in';

/** Renders a signed-in page's data; sends signed-out visitors (401) to the sign-in page. */
export function RequireSession<T>({
  load,
  children,
}: {
  load: Load<T>;
  children: (data: T) => ReactNode;
}) {
  if (load.state === 'loading') {
    return (
      <section className="card" aria-busy="true">
        <p role="status">Loading…</p>
      </section>
    );
  }
  if (load.state === 'failed') {
    if (isApiError(load.error) && load.error.status === 401) {
      const state: SignInState = { notice: 'Please sign in to continue.' };
      return <Navigate to="/sign-in" replace state={state} />;
    }
    return (
      <section className="card">
        <p role="alert" className="alert alert-error">
          {errorText(load.error)}
        </p>
      </section>
    );
  }
  return <>{children(load.data)}</>;
}
