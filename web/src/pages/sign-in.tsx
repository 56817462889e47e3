import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api';
import type { SignInResult } from '../api-types';
import { ErrorAlert } from '../components/error-alert';
import { Field } from '../components/field';
import { PasskeySignIn } from '../components/passkey-sign-in';
import { SubmitButton } from '../components/submit-button';
import { useConfig } from '../config';
import { InputError, isInvalid } from '../error-text';
import { flowStore, pathForStep } from '../flow-store';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { usePageTitle } from '../hooks/use-page-title';
import { signInWords } from '../policy-words';
import { rememberReturnTo, takeReturnTo } from '../return-to';

/** Navigation state other pages pass here: a notice to show and an email to prefill. */
export interface SignInState {
  notice?: string;
  email?: string;
}

const errorId = 'sign-in-error';

export function SignInPage() {
  const config = useConfig();
  const words = signInWords(config?.policy);
  usePageTitle(words.title);
  const navigate = useNavigate();
  const state = (useLocation().state ?? {}) as SignInState;
  const [email, setEmail] = useState(state.email ?? '');
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);
  // Asked for by an application signing in through Portcullis: go back to it afterwards.
  useEffect(() => rememberReturnTo(), []);

  /** Where a sign-in answer leads: the account, the sign-in page again, or the next step. */
  function follow(result: SignInResult, typedEmail?: string) {
    if (result.status === 'signed_in') {
      flowStore.clear();
      const back = takeReturnTo();
      if (back) window.location.assign(back);
      else navigate('/account', { replace: true });
      return;
    }
    if (result.status === 'restart') {
      flowStore.clear();
      const next: SignInState = { notice: result.message };
      navigate('/sign-in', { replace: true, state: next });
      return;
    }
    const path = pathForStep(result.flow.step);
    if (!path) throw new Error('This sign-in needs a step these pages cannot show yet.');
    flowStore.clear(); // nothing of an earlier sign-in carries over
    flowStore.fresh(result.flow, typedEmail);
    navigate(path);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError(
        new InputError('Enter your email address and password.', [
          ...(email.trim() ? [] : ['email']),
          ...(password ? [] : ['password']),
        ]),
      );
      return;
    }
    void run('submit', async () => follow(await api.signIn(email.trim(), password), email.trim()));
  }

  return (
    <section className="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{words.title}</h1>
      {state.notice ? (
        <p key={state.notice} role="status" className="alert alert-info">
          {state.notice}
        </p>
      ) : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={errorId} error={error} />
        <Field
          id="email"
          label="Email address"
          type="email"
          // "webauthn": the browser may offer the user's passkeys here (autofill).
          autoComplete="username webauthn"
          spellCheck={false}
          value={email}
          onChange={setEmail}
          errorId={isInvalid(error, 'email') ? errorId : undefined}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          errorId={isInvalid(error, 'password') ? errorId : undefined}
        />
        <SubmitButton label={words.button} busyLabel={words.busy} busy={busy} />
      </form>
      <PasskeySignIn onResult={(result) => follow(result)} disabled={busy} />
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      {config?.selfSignUp ? (
        <p className="card-footer">
          New to {config.portalName}? <Link to="/sign-up">Create an account</Link>
        </p>
      ) : null}
    </section>
  );
}
