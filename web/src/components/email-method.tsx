import { useState, type FormEvent } from 'react';
import { api } from '../api';
import type { EmailChangeFlow } from '../api-types';
import { InputError, isInvalid } from '../error-text';
import { measureOffset } from '../flow-store';
import { formatDuration } from '../format';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { useSectionTask } from '../hooks/use-step-up-tasks';
import type { SectionProps } from '../pages/account-security';
import { CodeEntry } from './code-entry';
import { ErrorAlert } from './error-alert';
import { Field } from './field';
import { MethodFeedback } from './method-feedback';
import { StepUpPanel } from './step-up-panel';
import { SubmitButton } from './submit-button';

/**
 * "Email address" on the security page: the address (masked) and whether it is verified, and
 * "Change email": a step-up (S20), the new address, the code sent to it, done. The server tells
 * the old address; an address that belongs to another account is never said to be taken (S6).
 */
export function EmailAddressMethod({ security, reload, tasks }: SectionProps) {
  const task = tasks.task?.kind === 'email-change' ? tasks.task : null;
  const { feedback, begin, finish } = useSectionTask(tasks, reload);
  return (
    <div className="method" role="region" aria-labelledby="email-method-title">
      <h3 id="email-method-title">Email address</h3>
      <MethodFeedback message={feedback} />
      <p>
        <span className="email">{security.email.address}</span>{' '}
        {security.email.verified ? (
          <span className="badge badge-verified">VERIFIED</span>
        ) : (
          <span className="badge badge-pending">NOT VERIFIED</span>
        )}
      </p>
      {task === null ? (
        <div className="actions actions-tight">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin('email-change')}
          >
            Change email
          </button>
        </div>
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : (
        <EmailChangeEditor
          onStepUpRequired={tasks.stepUpAgain}
          onDone={(address) =>
            void finish(`Your email address is now ${address}. Use it to sign in from now on.`)
          }
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}

interface Pending {
  flow: EmailChangeFlow;
  offsetMs: number;
}

const errorId = 'new-email-error';

/** The new address, then the code sent to it; "Done" once the account uses it. */
function EmailChangeEditor(props: {
  onStepUpRequired: (cause: unknown) => void;
  onDone: (address: string) => void;
  onCancel: () => void;
}) {
  const [email, setEmail] = useState('');
  const [pending, setPending] = useState<Pending | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function stepUpLapsed(caught: unknown): boolean {
    if (!api.startEmailChange.failedWith(caught, 'STEP_UP_REQUIRED')) return false;
    props.onStepUpRequired(caught);
    return true;
  }

  const show = (flow: EmailChangeFlow) =>
    setPending({ flow, offsetMs: measureOffset(undefined, flow.code) });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim()) {
      setError(new InputError('Enter the new email address.', ['email']));
      return;
    }
    void run('submit', async () => {
      try {
        show((await api.startEmailChange(email.trim())).flow);
      } catch (caught) {
        if (!stepUpLapsed(caught)) throw caught;
      }
    });
  }

  if (saved) {
    return (
      <div className="panel">
        <p role="status" className="alert alert-success">
          Your email address {saved} is verified and saved to your account. We told your old address
          about the change.
        </p>
        <button type="button" className="button button-primary" onClick={() => props.onDone(saved)}>
          Done
        </button>
      </div>
    );
  }

  const flow = pending?.flow;
  return (
    <div className="panel" role="group" aria-label="Change your email address">
      {flow?.code ? null : (
        <form ref={formRef} onSubmit={submit} noValidate>
          <ErrorAlert id={errorId} error={error} />
          <Field
            id="new-email"
            label="New email address"
            type="email"
            autoComplete="email"
            spellCheck={false}
            hint="We send a code to it. Your email changes only when you enter that code."
            value={email}
            onChange={setEmail}
            errorId={isInvalid(error, 'email') ? errorId : undefined}
          />
          <div className="actions actions-tight">
            <SubmitButton label="Send code" busyLabel="Sending code…" busy={busy} />
          </div>
        </form>
      )}
      {flow?.code ? (
        <>
          <p id="new-email-sent">
            We sent a code to <span className="nowrap">{flow.destination}</span>. Enter it to
            confirm the new address. Codes will be valid for{' '}
            {formatDuration(flow.code.validForSeconds)}.
          </p>
          <CodeEntry
            key={flow.flow}
            id="new-email-code"
            label="Verification code"
            submitLabel="Verify"
            busyLabel="Verifying…"
            emptyMessage="Enter the code from the email."
            validityShown
            code={flow.code}
            offsetMs={pending?.offsetMs ?? 0}
            verify={async (code) => {
              setSaved((await api.confirmEmailChange(flow.flow, code)).email.address);
            }}
            resend={async () => {
              show((await api.resendEmailChange(flow.flow)).flow);
              return `We sent a new code to ${flow.destination}. Earlier codes no longer work.`;
            }}
            onLost={() => {
              setPending(null);
              setError(new Error('This change has expired. Enter the new address again.'));
            }}
          />
        </>
      ) : null}
      <p>
        <button type="button" className="button-link" onClick={props.onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}
