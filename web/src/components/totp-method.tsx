import { api } from '../api';
import { formatDate, formatDateTime } from '../format';
import type { SectionProps } from '../pages/account-security';
import { ConfirmRemoval } from './confirm-removal';
import { useSectionTask } from '../hooks/use-step-up-tasks';
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
  const { feedback, begin, finish } = useSectionTask(tasks, reload);

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
        <ConfirmRemoval
          id="remove-totp"
          title="Remove authenticator app"
          question="Remove the authenticator app from your account? Its codes will stop working."
          remove={api.removeTotp}
          onStepUpRequired={tasks.stepUpAgain}
          onRemoved={() => void finish('The authenticator app was removed from your account.')}
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}
