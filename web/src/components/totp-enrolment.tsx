import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { TotpEnrolment, TotpKey } from '../api-types';
import { useAction } from '../hooks/use-action';
import { CodeForm } from './code-form';
import { ErrorAlert } from './error-alert';

interface TotpEnrolmentPanelProps {
  /** An app is already set up: the new one replaces it once confirmed. */
  replacing: boolean;
  /** The step-up has lapsed: the page asks for it again, then this panel starts afresh. */
  onStepUpRequired: (cause: unknown) => void;
  /** "Done" after the app is confirmed and saved. */
  onDone: () => void;
  onCancel: () => void;
}

const qrSource = (svg: string) => `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;

/**
 * Adding a new key to the app: its QR code (a data: URL, allowed by the pages' CSP) and the key
 * as text for typing. Used on the security page and in sign-in (seed 001's "get Authenticator").
 */
export function TotpKeySteps({ totpKey }: { totpKey: TotpKey }) {
  return (
    <ol className="setup-steps">
      <li>Open your authenticator app and choose to add an account.</li>
      <li>
        Scan this QR code with the app.
        <img
          className="qr-code"
          alt="QR code for your authenticator app"
          src={qrSource(totpKey.qrSvg)}
        />
        <span className="hint">
          Can&apos;t scan? Enter this key:{' '}
          <code className="totp-key" data-testid="totp-key">
            {totpKey.key}
          </code>
        </span>
      </li>
      <li>Enter the six-digit code the app now shows, and click Verify.</li>
    </ol>
  );
}

/**
 * A new authenticator app: a fresh key as a QR code and as text, then a code from the app to
 * confirm it — only then is it saved (and any earlier app stops working).
 */
export function TotpEnrolmentPanel(props: TotpEnrolmentPanelProps) {
  const { replacing, onStepUpRequired, onDone, onCancel } = props;
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [done, setDone] = useState(false);
  const starting = useAction();
  const started = useRef(false);

  function stepUpLapsed(caught: unknown): boolean {
    if (
      !api.startTotp.failedWith(caught, 'STEP_UP_REQUIRED') &&
      !api.confirmTotp.failedWith(caught, 'STEP_UP_REQUIRED')
    )
      return false;
    onStepUpRequired(caught);
    return true;
  }

  function start() {
    void starting.run('submit', async () => {
      try {
        setEnrolment((await api.startTotp()).enrolment);
      } catch (caught) {
        if (!stepUpLapsed(caught)) throw caught;
      }
    });
  }

  useEffect(() => {
    if (!started.current) {
      started.current = true;
      start();
    }
  }, []); // once: the user asked for a new key by opening this panel

  function expired() {
    setEnrolment(null);
    starting.setError(
      new Error(
        'This setup has expired. Start again, and remove the entry you added in your app first.',
      ),
    );
  }

  if (done) {
    return (
      <div className="panel">
        <p role="status" className="alert alert-success">
          Your authenticator app is set up.
        </p>
        <button type="button" className="button button-primary" onClick={onDone}>
          Done
        </button>
      </div>
    );
  }

  return (
    <div className="panel" role="group" aria-labelledby="totp-setup-title">
      <h3 id="totp-setup-title">
        {replacing ? 'Replace your authenticator app' : 'Set up your authenticator app'}
      </h3>
      <ErrorAlert id="totp-start-error" error={starting.error} />
      {starting.busy ? <p role="status">Preparing your key…</p> : null}
      {enrolment ? (
        <>
          <TotpKeySteps totpKey={enrolment} />
          {replacing ? (
            <p className="hint">Your current app keeps working until the new one is verified.</p>
          ) : null}
          <CodeForm
            key={enrolment.flow}
            id="totp-setup"
            kind="totp"
            label="Code from your authenticator app"
            submitLabel="Verify"
            emptyMessage="Enter the code your authenticator app shows."
            verify={async (code) => {
              try {
                await api.confirmTotp(enrolment.flow, code);
                setDone(true);
              } catch (caught) {
                if (!stepUpLapsed(caught)) throw caught;
              }
            }}
            onLost={expired}
          />
        </>
      ) : starting.error && !starting.busy ? (
        <button type="button" className="button button-secondary" onClick={start}>
          Start again
        </button>
      ) : null}
      <p>
        <button type="button" className="button-link" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}
