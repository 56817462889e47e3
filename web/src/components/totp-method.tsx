import { useState } from 'react';
import { api, isApiError } from '../api';
import { formatDate, formatDateTime } from '../format';
import { useAction } from '../hooks/use-action';
import type { SecurityTask, SectionProps } from '../pages/account-security';
import { ErrorAlert } from './error-alert';
import { MethodFeedback } from './method-feedback';
import { StepUpPanel } from './step-up-panel';
import { TotpEnrolmentPanel } from './totp-enrolment';

/**
 * "Authenticator app" on the security page (S12, S13): set one up, replace it, or remove it
 * (where the policy lets the account do without it) — each after a step-up.
 */
export function TotpMethod({ security, reload, tasks }: SectionProps) {
  const { totp } = security;
  const task = tasks.task?.kind.startsWith('totp-') ? tasks.task : null;
  const [feedback, setFeedback] = useState('');

  function begin(kind: SecurityTask) {
    setFeedback('');
    tasks.begin(kind);
  }

  async function finish(message: string) {
    tasks.end();
    await reload();
    setFeedback(message);
  }

  return (
    <div className="method" role="region" aria-labelledby="totp-method-title">
      <h3 id="totp-method-title">Authenticator app</h3>
      <p className="hint">
        An app on your phone, such as Google Authenticator or Microsoft Authenticator, shows a new
        six-digit code every 30 seconds. It works without a phone signal.
      </p>
      <MethodFeedback message={feedback} />
      {totp ? (
        <dl className="details details-compact">
          <dt>Added</dt>
          <dd>{formatDate(totp.addedAt)}</dd>
          <dt>Last used</dt>
          <dd>{totp.lastUsedAt ? formatDateTime(totp.lastUsedAt) : 'Not used yet'}</dd>
        </dl>
      ) : (
        <p className="muted">No authenticator app yet.</p>
      )}
      {task === null ? (
        <div className="actions actions-tight">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin('totp-set-up')}
          >
            {totp ? 'Replace' : 'Set up authenticator app'}
          </button>
          {totp && security.totpRemovable ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => begin('totp-remove')}
            >
              Remove
            </button>
          ) : null}
        </div>
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : task.kind === 'totp-set-up' ? (
        <TotpEnrolmentPanel
          replacing={totp !== null}
          onStepUpRequired={tasks.stepUpAgain}
          onDone={() =>
            void finish(
              totp
                ? 'Your new authenticator app is set up. Codes from the old one no longer work.'
                : 'Your authenticator app is set up.',
            )
          }
          onCancel={tasks.end}
        />
      ) : (
        <RemoveTotp
          onStepUpRequired={tasks.stepUpAgain}
          onRemoved={() => void finish('The authenticator app was removed from your account.')}
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}

function RemoveTotp({
  onStepUpRequired,
  onRemoved,
  onCancel,
}: {
  onStepUpRequired: (cause: unknown) => void;
  onRemoved: () => void;
  onCancel: () => void;
}) {
  const { busy, error, run } = useAction();

  function remove() {
    void run('submit', async () => {
      try {
        await api.removeTotp();
      } catch (caught) {
        if (isApiError(caught, 'STEP_UP_REQUIRED')) {
          onStepUpRequired(caught);
          return;
        }
        throw caught;
      }
      onRemoved();
    });
  }

  return (
    <div className="panel" role="group" aria-labelledby="remove-totp-title">
      <h3 id="remove-totp-title">Remove authenticator app</h3>
      <p>Remove the authenticator app from your account? Its codes will stop working.</p>
      <ErrorAlert id="remove-totp-error" error={error} />
      <div className="actions actions-tight">
        <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
          {busy ? 'Removing…' : 'Remove authenticator app'}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onCancel}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
