import { useEffect, useRef } from 'react';
import { api } from '../api';
import type { SignInResult } from '../api-types';
import { useAction } from '../hooks/use-action';
import {
  cancelPasskeyRequest,
  getPasskey,
  isPasskeyAborted,
  passkeyAutofillSupported,
  passkeyProblem,
  passkeysSupported,
} from '../passkey';
import { ErrorAlert } from './error-alert';

/** Expired while the suggestion waited: start a new autofill request, a few times at most. */
const AUTOFILL_RENEWALS = 3;

/**
 * Password-less sign-in (S15): the "Sign in with a passkey" button, and — where the browser
 * supports it — passkeys offered in the email field's autofill (conditional mediation), which
 * wait quietly until the user picks one. The button cancels the waiting autofill request first.
 */
export function PasskeySignIn({
  onResult,
  disabled,
}: {
  onResult: (result: SignInResult) => void;
  disabled: boolean;
}) {
  const { busy, error, setError, run } = useAction();
  const result = useRef(onResult);
  result.current = onResult;

  useEffect(() => {
    let live = true;
    async function autofill(renewals: number): Promise<void> {
      if (!passkeysSupported() || !(await passkeyAutofillSupported())) return;
      const start = await api.passkeySignInOptions();
      if (!live) return;
      let credential;
      try {
        credential = await getPasskey(start.options, true);
      } catch {
        return; // dismissed, aborted for the button, or no passkey here: nothing to say
      }
      try {
        const answer = await api.signInWithPasskey(start.flow, credential);
        if (live) result.current(answer);
      } catch (caught) {
        if (!live) return;
        setError(caught);
        if (
          renewals > 0 &&
          api.signInWithPasskey.failedWith(caught, 'FLOW_NOT_FOUND', 'CEREMONY_EXPIRED')
        )
          await autofill(renewals - 1);
      }
    }
    autofill(AUTOFILL_RENEWALS).catch(() => undefined); // the button still works
    return () => {
      live = false;
      cancelPasskeyRequest();
    };
  }, [setError]);

  if (!passkeysSupported()) return null;

  function signIn() {
    void run('submit', async () => {
      const start = await api.passkeySignInOptions();
      let credential;
      try {
        credential = await getPasskey(start.options);
      } catch (caught) {
        if (isPasskeyAborted(caught)) return;
        throw passkeyProblem(caught);
      }
      result.current(await api.signInWithPasskey(start.flow, credential));
    });
  }

  return (
    <div className="passkey-sign-in" role="group" aria-label="Passkey">
      <p className="divider" aria-hidden="true">
        <span>or</span>
      </p>
      <ErrorAlert id="passkey-sign-in-error" error={error} />
      <button
        type="button"
        className="button button-secondary button-wide"
        onClick={signIn}
        disabled={busy || disabled}
      >
        {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
      <p className="hint">
        No password needed: your device asks for your fingerprint, face or PIN.
      </p>
    </div>
  );
}
