/** A step-up's other ways in: the passkey's ceremony, and the list of methods to switch to. */
import { api, isApiError } from '../api';
import type { StepUpFlow, StepUpMethod } from '../api-types';
import { useAction } from '../hooks/use-action';
import { getPasskey, isPasskeyAborted, passkeyProblem } from '../passkey';
import { ErrorAlert } from './error-alert';

/**
 * A step-up with a passkey: the browser asks for it when the user clicks. A refused answer spends
 * the ceremony, so a fresh one is made ready for the next try.
 */
const switchLabels: Record<StepUpMethod, string> = {
  passkey: 'Use a passkey instead',
  totp: 'Use your authenticator app instead',
  email: 'Send code to email',
  sms: 'Text me',
  voice: 'Call me',
};

export function PasskeyStepUp({
  flow,
  onVerified,
  onRenewed,
}: {
  flow: StepUpFlow;
  onVerified: (validUntil: string) => void;
  onRenewed: (flow: StepUpFlow) => void;
}) {
  const { busy, error, run } = useAction();

  function verify() {
    void run('submit', async () => {
      if (!flow.passkey) throw new Error('This verification has expired. Start it again.');
      let credential;
      try {
        credential = await getPasskey(flow.passkey.options);
      } catch (caught) {
        if (isPasskeyAborted(caught)) return;
        throw passkeyProblem(caught);
      }
      try {
        onVerified((await api.verifyStepUpPasskey(flow.flow, credential)).validUntil);
      } catch (caught) {
        if (isApiError(caught)) {
          const renewed = await api.startStepUp('passkey').catch(() => null);
          if (renewed) onRenewed(renewed.flow);
        }
        throw caught;
      }
    });
  }

  return (
    <>
      <p>
        Use a passkey you added to this account: your device asks for your fingerprint, face or PIN.
      </p>
      <ErrorAlert id="step-up-passkey-error" error={error} />
      <button type="button" className="button button-primary" onClick={verify} disabled={busy}>
        {busy ? 'Waiting for your passkey…' : 'Use your passkey'}
      </button>
    </>
  );
}

/**
 * The switches CodeEntry does not offer: between a passkey, the app and a sent code (CodeEntry
 * switches between channels itself).
 */
export function OtherMethods({
  methods,
  action,
  onSwitch,
}: {
  methods: StepUpMethod[];
  action: ReturnType<typeof useAction<StepUpMethod>>;
  onSwitch: (method: StepUpMethod) => void;
}) {
  if (methods.length === 0) return null;
  return (
    <>
      <ErrorAlert id="step-up-switch-error" error={action.error} />
      <div className="actions actions-tight channel-switches">
        {methods.map((method) => (
          <button
            key={method}
            type="button"
            className="button button-secondary"
            onClick={() => onSwitch(method)}
            disabled={action.busy}
          >
            {action.pending === method ? 'Switching…' : switchLabels[method]}
          </button>
        ))}
      </div>
    </>
  );
}
