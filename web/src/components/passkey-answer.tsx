import { useState } from 'react';
import type { PasskeyRequest } from '../api-types';
import { useAction } from '../hooks/use-action';
import { getPasskey, isPasskeyAborted, passkeyProblem, type PasskeyAssertion } from '../passkey';
import { ErrorAlert } from './error-alert';

interface PasskeyAnswerProps {
  id: string;
  /** The flow's ceremony, if it holds one now. */
  request: PasskeyRequest | null;
  /** Asks the server for a new ceremony (and follows the answer); returns it. */
  renew: () => Promise<PasskeyRequest | null>;
  /** Sends the browser's answer; throws the server's refusal. */
  answer: (credential: PasskeyAssertion) => Promise<void>;
  /** Handles an error that ends the flow (true: handled). */
  onLost: (caught: unknown) => boolean;
  /** What to say when the flow has no ceremony to give. */
  cannotContinue: string;
}

/**
 * "Use your passkey" as a step of a flow (the second factor of a sign-in, the proof after a
 * recovery code): the browser asks for the passkey when the user clicks. A refused answer spends
 * the ceremony (S15); the next try asks the server for a new one first.
 */
export function PasskeyAnswer(props: PasskeyAnswerProps) {
  const { id, request, renew, answer, onLost, cannotContinue } = props;
  const { busy, error, run } = useAction();
  // Set once an answer was refused: the ceremony is spent.
  const [spent, setSpent] = useState(false);

  function verify() {
    void run('submit', async () => {
      try {
        let ceremony = request;
        if (spent || !ceremony) {
          ceremony = await renew();
          setSpent(false);
        }
        if (!ceremony) throw new Error(cannotContinue);
        let credential;
        try {
          credential = await getPasskey(ceremony.options);
        } catch (caught) {
          if (isPasskeyAborted(caught)) return;
          throw passkeyProblem(caught);
        }
        try {
          await answer(credential);
        } catch (caught) {
          setSpent(true);
          throw caught;
        }
      } catch (caught) {
        if (onLost(caught)) return;
        throw caught;
      }
    });
  }

  return (
    <>
      <p>
        Use the passkey you added to this account. Your device asks for your fingerprint, face or
        PIN.
      </p>
      <ErrorAlert id={id} error={error} />
      <div className="actions">
        <button type="button" className="button button-primary" onClick={verify} disabled={busy}>
          {busy ? 'Waiting for your passkey…' : spent ? 'Try again' : 'Use your passkey'}
        </button>
      </div>
    </>
  );
}
