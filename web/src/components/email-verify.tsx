/**
 * Seed 000's "Verify Email Address" under Email Address on the security page: a code goes to the
 * account's own address; entered here, it records the address as verified now. Uses the shared
 * code entry (validity, tries left, "Resend code" after its cooldown).
 */
import { useState } from 'react';
import { api } from '../api';
import type { EmailVerifyFlow } from '../api-types';
import { measureOffset } from '../flow-store';
import { formatDuration } from '../format';
import { useAction } from '../hooks/use-action';
import { CodeEntry } from './code-entry';
import { ErrorAlert } from './error-alert';

interface Pending {
  flow: EmailVerifyFlow;
  offsetMs: number;
}

export function EmailVerify({ onVerified }: { onVerified: () => Promise<void> }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const show = (flow: EmailVerifyFlow) =>
    setPending({ flow, offsetMs: measureOffset(undefined, flow.code) });

  function send() {
    setDone(null);
    void run('submit', async () => show((await api.startEmailVerify()).flow));
  }

  const flow = pending?.flow;
  return (
    <div>
      <ErrorAlert id="email-verify-error" error={error} />
      {done ? (
        <p role="status" className="alert alert-success">
          Your email address {done} is verified.
        </p>
      ) : null}
      {flow?.code ? (
        <div className="panel" role="group" aria-label="Verify your email address">
          <p>
            We sent a code to <span className="nowrap">{flow.destination}</span>. Enter it to verify
            your email address. Codes will be valid for {formatDuration(flow.code.validForSeconds)}.
          </p>
          <CodeEntry
            key={flow.flow}
            id="email-verify-code"
            label="Verification code"
            submitLabel="Verify"
            busyLabel="Verifying…"
            emptyMessage="Enter the code from the email."
            validityShown
            code={flow.code}
            offsetMs={pending?.offsetMs ?? 0}
            verify={async (code) => {
              const answer = await api.confirmEmailVerify(flow.flow, code);
              setPending(null);
              setDone(answer.email.address);
              await onVerified();
            }}
            resend={async () => {
              show((await api.resendEmailVerify(flow.flow)).flow);
              return `We sent a new code to ${flow.destination}. Earlier codes no longer work.`;
            }}
            onLost={() => {
              setPending(null);
              setError(new Error('This code has expired. Click “Verify Email Address” again.'));
            }}
          />
          <p>
            <button type="button" className="button-link" onClick={() => setPending(null)}>
              Cancel
            </button>
          </p>
        </div>
      ) : (
        <div className="actions actions-tight">
          <button type="button" className="button button-secondary" onClick={send} disabled={busy}>
            {busy ? 'Sending code…' : 'Verify Email Address'}
          </button>
        </div>
      )}
    </div>
  );
}
