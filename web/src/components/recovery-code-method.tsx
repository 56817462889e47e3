import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { RecoveryCodeShown } from '../api-types';
import { formatDate } from '../format';
import { useAction } from '../hooks/use-action';
import type { SectionProps } from '../pages/account-security';
import { ErrorAlert } from './error-alert';
import { useSectionTask } from '../hooks/use-step-up-tasks';
import { MethodFeedback } from './method-feedback';
import { RecoveryCodeSave } from './recovery-code-save';
import { StepUpPanel } from './step-up-panel';

/**
 * "Recovery code" on the security page (S14): whether there is one and whether it was saved;
 * "Get a new code" (after a step-up) shows a new one once, and the old one stops working.
 */
export function RecoveryCodeMethod({ security, reload, tasks }: SectionProps) {
  const { recoveryCode } = security;
  const task = tasks.task?.kind === 'recovery-code' ? tasks.task : null;
  const section = useSectionTask(tasks, reload);
  const { feedback, finish } = section;
  const begin = () => section.begin('recovery-code');

  return (
    <div className="method" role="region" aria-labelledby="recovery-method-title">
      <h3 id="recovery-method-title" tabIndex={-1}>
        Recovery code
      </h3>
      <p className="hint">
        Sign in with your recovery code if you cannot use your phone or authenticator app. It works
        once; then you get a new one.
      </p>
      <MethodFeedback message={feedback} />
      <p className="hint">
        Your recovery code is stored only as a hash, so it cannot be shown or downloaded again.
      </p>
      {recoveryCode ? (
        <dl className="details details-compact">
          <dt>Created</dt>
          <dd>{formatDate(recoveryCode.createdAt)}</dd>
          <dt>Saved</dt>
          <dd>{recoveryCode.savedAt ? formatDate(recoveryCode.savedAt) : 'Not confirmed yet'}</dd>
        </dl>
      ) : (
        <p className="muted">No recovery code yet.</p>
      )}
      {security.recoveryCodeRequired && !recoveryCode?.savedAt ? (
        <p className="alert alert-warning">
          Everyone on this portal must keep a recovery code. Get one and save it.
        </p>
      ) : null}
      {task === null ? (
        <>
          <p>
            If you need to redownload your recovery code, get a new one here: the old code stops
            working.
          </p>
          <div className="actions actions-tight">
            <button type="button" className="button button-primary" onClick={begin}>
              {recoveryCode ? 'Get a new code' : 'Get a recovery code'}
            </button>
          </div>
        </>
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : (
        <NewRecoveryCode
          replacing={recoveryCode !== null}
          onStepUpRequired={tasks.stepUpAgain}
          onDone={() =>
            void finish(
              recoveryCode
                ? 'Your new recovery code is saved. The old one no longer works.'
                : 'Your recovery code is saved.',
            )
          }
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}

interface Issued {
  recoveryCode: RecoveryCodeShown;
  /** The account's email address, to name it in the downloaded file. */
  email: string | undefined;
}

function NewRecoveryCode({
  replacing,
  onStepUpRequired,
  onDone,
  onCancel,
}: {
  replacing: boolean;
  onStepUpRequired: (cause: unknown) => void;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [issued, setIssued] = useState<Issued | null>(null);
  const issuing = useAction();
  const started = useRef(false);

  function issue() {
    void issuing.run('submit', async () => {
      let recoveryCode: RecoveryCodeShown;
      try {
        ({ recoveryCode } = await api.newRecoveryCode());
      } catch (caught) {
        if (api.newRecoveryCode.failedWith(caught, 'STEP_UP_REQUIRED')) {
          onStepUpRequired(caught);
          return;
        }
        throw caught;
      }
      const email = await api.session().then(
        (answer) => answer.user.email,
        () => undefined, // the file leaves the account out
      );
      setIssued({ recoveryCode, email });
    });
  }

  useEffect(() => {
    if (!started.current) {
      started.current = true;
      issue();
    }
  }, []); // once: the user asked for a new code by opening this panel

  return (
    <div className="panel" role="group" aria-labelledby="new-recovery-title">
      <h3 id="new-recovery-title">Your new recovery code</h3>
      <ErrorAlert id="new-recovery-error" error={issuing.error} />
      {issuing.busy ? <p role="status">Creating your recovery code…</p> : null}
      {issued ? (
        <>
          <p>{replacing ? 'Your old recovery code no longer works. ' : null}Save this one now.</p>
          <RecoveryCodeSave
            id="account-recovery"
            recoveryCode={issued.recoveryCode}
            email={issued.email}
            submitLabel="Done"
            busyLabel="Saving…"
            onSaved={async () => {
              await api.recoveryCodeSaved();
              onDone();
            }}
          />
        </>
      ) : (
        <p>
          {issuing.error && !issuing.busy ? (
            <button type="button" className="button button-secondary" onClick={issue}>
              Try again
            </button>
          ) : null}{' '}
          <button type="button" className="button-link" onClick={onCancel}>
            Cancel
          </button>
        </p>
      )}
    </div>
  );
}
