import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { Field } from '../components/field';
import { NewPasswordField } from '../components/new-password-field';
import { SubmitButton } from '../components/submit-button';
import { errorText, InputError, isInvalid } from '../error-text';
import { formatDateTime } from '../format';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import type { SignInState } from './sign-in';

const errorId = 'invitation-error';
const storageKey = 'portcullis.invitation';

/** The token from the link; kept in sessionStorage so it can leave the address bar. */
function useInvitationToken(): string {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [token] = useState(() => params.get('token') ?? sessionStorage.getItem(storageKey) ?? '');
  useEffect(() => {
    if (!params.has('token')) return;
    sessionStorage.setItem(storageKey, token);
    navigate('/accept-invitation', { replace: true });
  }, [params, token, navigate]);
  return token;
}

export function AcceptInvitationPage() {
  usePageTitle('Accept your invitation');
  const token = useInvitationToken();
  const lookup = useCallback(
    () =>
      token
        ? api.lookupInvitation(token)
        : Promise.reject(new Error('This link is incomplete. Open the link from your email.')),
    [token],
  );
  const [invitation] = useLoad(lookup);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  if (invitation.state === 'loading') {
    return (
      <section className="card" aria-busy="true">
        <p role="status">Checking your invitation…</p>
      </section>
    );
  }
  if (invitation.state === 'failed') {
    return (
      <section className="card" aria-labelledby="invitation-title">
        <h1 id="invitation-title">This invitation cannot be used</h1>
        <p role="alert" className="alert alert-error">
          {api.lookupInvitation.failedWith(invitation.error, 'VALIDATION_FAILED')
            ? 'This invitation link is incomplete or not valid. Open the link from your email again.'
            : errorText(invitation.error)}
        </p>
        <p>Ask your administrator to send you a new invitation.</p>
      </section>
    );
  }

  const { email, expiresAt } = invitation.data;
  if (done) {
    const state: SignInState = { email };
    return (
      <section className="card" aria-labelledby="invitation-title">
        <h1 id="invitation-title">Your account is ready</h1>
        <p role="status" className="alert alert-success">
          {done}
        </p>
        <p>
          <Link className="button button-primary" to="/sign-in" state={state}>
            Sign in
          </Link>
        </p>
      </section>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) {
      setError(new InputError('Choose a password.', ['password']));
      return;
    }
    void run('submit', async () => {
      const answer = await api.acceptInvitation(token, password);
      sessionStorage.removeItem(storageKey);
      setDone(answer.message);
    });
  }

  return (
    <section className="card" aria-labelledby="invitation-title">
      <h1 id="invitation-title">Accept your invitation</h1>
      <p>
        Choose a password for your account. This invitation expires on {formatDateTime(expiresAt)}.
      </p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={errorId} error={error} />
        <Field
          id="email"
          label="Email address"
          type="email"
          autoComplete="username"
          value={email}
          readOnly
        />
        <NewPasswordField
          value={password}
          onChange={setPassword}
          email={email}
          errorId={isInvalid(error, 'password') ? errorId : undefined}
        />
        <SubmitButton label="Set password" busyLabel="Setting password…" busy={busy} />
      </form>
    </section>
  );
}
