import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { Field } from '../components/field';
import { NewPasswordField } from '../components/new-password-field';
import { SubmitButton } from '../components/submit-button';
import { useConfig } from '../config';
import { InputError, isInvalid } from '../error-text';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { usePageTitle } from '../hooks/use-page-title';
import type { SignInState } from './sign-in';

const errorId = 'sign-up-error';

export function SignUpPage() {
  usePageTitle('Create an account');
  const config = useConfig();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  if (done) {
    const state: SignInState = { email: email.trim() };
    return (
      <section className="card" aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Check your email</h1>
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
    if (!email.trim() || !password) {
      const fields = [...(email.trim() ? [] : ['email']), ...(password ? [] : ['password'])];
      setError(new InputError('Enter your email address and choose a password.', fields));
      return;
    }
    void run('submit', async () => {
      const answer = await api.signUp(email.trim(), password);
      setDone(answer.message);
    });
  }

  return (
    <section className="card" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create an account</h1>
      {config && !config.selfSignUp ? (
        <p className="alert alert-info">
          This portal does not allow self sign-up. Ask your administrator for an invitation.
        </p>
      ) : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={errorId} error={error} />
        <Field
          id="email"
          label="Email address"
          type="email"
          autoComplete="email"
          spellCheck={false}
          value={email}
          onChange={setEmail}
          errorId={isInvalid(error, 'email') ? errorId : undefined}
        />
        <NewPasswordField
          value={password}
          onChange={setPassword}
          email={email}
          errorId={isInvalid(error, 'password') ? errorId : undefined}
        />
        <SubmitButton label="Create account" busyLabel="Creating account…" busy={busy} />
      </form>
      <p className="card-footer">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
