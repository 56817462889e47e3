/** The reset's first page: the email address and the way to prove who the user is. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import type { ResetAnswer, ResetMethod } from '../../api-types';
import { ErrorAlert } from '../../components/error-alert';
import { Field } from '../../components/field';
import { SubmitButton } from '../../components/submit-button';
import { useConfig } from '../../config';
import { InputError, isInvalid } from '../../error-text';
import { useAction } from '../../hooks/use-action';
import { useFocusInvalid } from '../../hooks/use-focus-invalid';
import { Card } from './card';

const methodLabels: Record<ResetMethod, string> = {
  email: 'Email me a verification code',
  recovery_code: 'Use my recovery code, with my passkey, authenticator app or phone',
};

const startErrorId = 'reset-start-error';

export function StartStep({
  lost,
  onStarted,
}: {
  lost: string | null;
  onStarted: (answer: ResetAnswer) => void;
}) {
  const config = useConfig();
  const methods = config?.passwordReset ?? ['email'];
  // An administrator's "set a new password" email links here with the address filled in.
  const [email, setEmail] = useState(
    () => new URLSearchParams(window.location.search).get('email') ?? '',
  );
  const [method, setMethod] = useState<ResetMethod | null>(null);
  const chosen = method ?? methods[0] ?? 'email';
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim()) {
      setError(new InputError('Enter the email address you sign in with.', ['email']));
      return;
    }
    void run('submit', async () => onStarted(await api.startReset(email.trim(), chosen)));
  }

  return (
    <Card>
      {lost ? (
        <p role="alert" className="alert alert-error">
          {lost}
        </p>
      ) : null}
      {methods.length === 1 && methods[0] === 'email' ? (
        <p>
          Enter the email address you sign in with. To verify your identity we send a verification
          code to it.
        </p>
      ) : methods.length === 1 ? (
        <p>
          Email can no longer be used to recover your account. You need your recovery code, and then
          your passkey or a code from your authenticator app or your phone.
        </p>
      ) : (
        <p>Enter the email address you sign in with, and choose how to verify your identity.</p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={startErrorId} error={error} />
        <Field
          id="reset-email"
          label="Email address"
          type="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onChange={setEmail}
          errorId={isInvalid(error, 'email') ? startErrorId : undefined}
        />
        {methods.length > 1 ? (
          <fieldset className="choice-group">
            <legend>How do you want to verify your identity?</legend>
            {methods.map((m) => (
              <div key={m} className="checkbox-field">
                <input
                  type="radio"
                  id={`reset-method-${m}`}
                  name="reset-method"
                  checked={chosen === m}
                  onChange={() => setMethod(m)}
                />
                <label htmlFor={`reset-method-${m}`}>{methodLabels[m]}</label>
              </div>
            ))}
          </fieldset>
        ) : null}
        <SubmitButton label="Continue" busyLabel="Continuing…" busy={busy} />
      </form>
    </Card>
  );
}
