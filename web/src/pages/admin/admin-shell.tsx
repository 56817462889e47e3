/**
 * The admin console's frame: its heading, the nav (Users, Audit log, and Applications for the
 * deployment's administrators), and what a page shows when the API refuses it — a signed-out
 * visitor is sent to sign in, someone who is not an administrator is told so (ADMIN_REQUIRED),
 * and an administrator whose session has one factor (AAL2_REQUIRED) verifies their identity
 * with a second, then the page loads again.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, NavLink, useNavigate } from 'react-router';
import { api, isApiError } from '../../api';
import type { StepUpMethod } from '../../api-types';
import { StepUpPanel } from '../../components/step-up-panel';
import { errorText } from '../../error-text';
import type { Load } from '../../hooks/use-load';
import type { SignInState } from '../sign-in';

/** Users and the audit log; Applications for the deployment's administrators only. */
function AdminNav() {
  const [deployment, setDeployment] = useState(false);
  useEffect(() => {
    let live = true;
    api.session().then(
      (answer) => live && setDeployment(answer.user.role === 'admin'),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <nav aria-label="Admin console" className="admin-nav">
      <NavLink to="/admin" end>
        Users
      </NavLink>
      <NavLink to="/admin/audit">Audit log</NavLink>
      {deployment ? <NavLink to="/admin/applications">Applications</NavLink> : null}
    </nav>
  );
}

/** The refusals that say the console is not open to this visitor (as opposed to a failed page). */
function isAccessRefusal(error: unknown): boolean {
  return (
    isApiError(error, 'ADMIN_REQUIRED', 'AAL2_REQUIRED', 'DEPLOYMENT_ADMIN_REQUIRED') ||
    (isApiError(error) && error.status === 401)
  );
}

/**
 * A console page: the nav, its heading and content; or, when the page's load was refused
 * because of who is asking, only the refusal (no filters or nav for someone who cannot use them).
 */
export function AdminShell({
  title,
  load,
  retry,
  children,
}: {
  title: string;
  load: Load<unknown>;
  retry: () => void;
  children: ReactNode;
}) {
  if (load.state === 'failed' && isAccessRefusal(load.error)) {
    return (
      <section className="card card-wide" aria-labelledby="admin-title">
        <h1 id="admin-title">Admin console</h1>
        <AccessProblem error={load.error} retry={retry} />
      </section>
    );
  }
  return (
    <section className="card card-admin" aria-labelledby="admin-title">
      <AdminNav />
      <h1 id="admin-title">{title}</h1>
      {children}
    </section>
  );
}

const raising: readonly StepUpMethod[] = ['passkey', 'totp', 'sms', 'voice'];

/** Why the console cannot be shown, in words; null when the error is not about access. */
export function AccessProblem({ error, retry }: { error: unknown; retry: () => void }) {
  const navigate = useNavigate();
  if (isApiError(error) && error.status === 401) {
    const state: SignInState = { notice: 'Please sign in to continue.' };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  if (isApiError(error, 'ADMIN_REQUIRED')) {
    return (
      <p role="alert" className="alert alert-error">
        Only administrators can open the admin console.
      </p>
    );
  }
  if (isApiError(error, 'AAL2_REQUIRED')) {
    const listed = error.details.methods;
    const names = typeof listed === 'string' ? listed.split(',') : [];
    return (
      <StepUpPanel
        methods={raising.filter((m) => names.includes(m))}
        reason={errorText(error)}
        onVerified={retry}
        onCancel={() => navigate('/account')}
      />
    );
  }
  return (
    <p role="alert" className="alert alert-error">
      {errorText(error)}
    </p>
  );
}

/** A console page's data: loading, refused (in words), or shown. */
export function AdminLoad<T>({
  load,
  retry,
  children,
}: {
  load: Load<T>;
  retry: () => void;
  children: (data: T) => ReactNode;
}) {
  if (load.state === 'loading') return <p role="status">Loading…</p>;
  if (load.state === 'failed') return <AccessProblem error={load.error} retry={retry} />;
  return <>{children(load.data)}</>;
}
