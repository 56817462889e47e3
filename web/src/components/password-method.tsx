import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { InputError, isInvalid } from '../error-text';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { useSectionTask } from '../hooks/use-step-up-tasks';
import type { SectionProps } from '../pages/account-security';
import { ErrorAlert } from './error-alert';
import { Checkbox, Field } from './field';
import { MethodFeedback } from './method-feedback';
import { NewPasswordField } from './new-password-field';
import { StepUpPanel } from './step-up-panel';
import { SubmitButton } from './submit-button';

/**
 * "Password" on the security page: change it after a step-up (S20) with the current password,
 * and choose whether the other devices are signed out.
 */
export function PasswordMethod({ security, reload, tasks }: SectionProps) {
  const task = tasks.task?.kind === 'password-change' ? tasks.task : null;
  const { feedback, begin, finish } = useSectionTask(tasks, reload);
  return (
    <div className="method" role="region" aria-labelledby="password-method-title">
      <h3 id="password-method-title">Password</h3>
      <MethodFeedback message={feedback} />
      {task === null ? (
        <div className="actions actions-tight">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin('password-change')}
          >
            Change password
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
        <PasswordChangeForm
          email={security.email.address}
          onStepUpRequired={tasks.stepUpAgain}
          onDone={(ended) =>
            void finish(
              ended > 0
                ? `Your password is changed. ${ended === 1 ? 'One other device was' : `${ended} other devices were`} signed out.`
                : 'Your password is changed.',
            )
          }
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}

const errorId = 'password-change-error';

function PasswordChangeForm(props: {
  email: string;
  onStepUpRequired: (cause: unknown) => void;
  onDone: (sessionsEnded: number) => void;
  onCancel: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [endOthers, setEndOthers] = useState(true);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!current || !next) {
      setError(
        new InputError('Enter your current password and a new one.', [
          ...(current ? [] : ['current-password']),
          ...(next ? [] : ['password']),
        ]),
      );
      return;
    }
    void run('submit', async () => {
      try {
        const { sessionsEnded } = await api.changePassword(current, next, endOthers);
        props.onDone(sessionsEnded);
      } catch (caught) {
        if (api.changePassword.failedWith(caught, 'STEP_UP_REQUIRED')) {
          props.onStepUpRequired(caught);
          return;
        }
        if (api.changePassword.failedWith(caught, 'CURRENT_PASSWORD_INVALID')) {
          setError(new InputError(caught.message, ['current-password']));
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <form ref={formRef} className="panel" onSubmit={submit} noValidate>
      <ErrorAlert id={errorId} error={error} />
      <Field
        id="current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        errorId={isInvalid(error, 'current-password') ? errorId : undefined}
      />
      <NewPasswordField
        value={next}
        onChange={setNext}
        email={props.email}
        errorId={isInvalid(error, 'password') ? errorId : undefined}
      />
      <Checkbox
        id="password-end-others"
        label="Sign out of my other devices"
        checked={endOthers}
        onChange={setEndOthers}
      />
      <div className="actions actions-tight">
        <SubmitButton label="Change password" busyLabel="Changing password…" busy={busy} />
        <button type="button" className="button button-secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
