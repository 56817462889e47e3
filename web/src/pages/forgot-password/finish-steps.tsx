/** The reset's last pages: the new password, then saving the recovery code that replaced one. */
import { useState, type FormEvent } from 'react';
import { api, isFlowGone } from '../../api';
import { ErrorAlert } from '../../components/error-alert';
import { Checkbox } from '../../components/field';
import { NewPasswordField } from '../../components/new-password-field';
import { RecoveryCodeSave } from '../../components/recovery-code-save';
import { SubmitButton } from '../../components/submit-button';
import { InputError, isInvalid } from '../../error-text';
import { useAction } from '../../hooks/use-action';
import { useFocusInvalid } from '../../hooks/use-focus-invalid';
import { Broken, Card, type StepProps } from './card';

const passwordErrorId = 'reset-password-error';

export function NewPasswordStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  const [password, setPassword] = useState('');
  const [endSessions, setEndSessions] = useState(true);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) {
      setError(new InputError('Choose a new password.', ['password']));
      return;
    }
    void run('submit', async () => {
      try {
        follow(await api.resetPassword(flow.flow, password, endSessions), flow.email);
      } catch (caught) {
        if (isFlowGone(caught)) {
          loseFlow(caught);
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <Card>
      <p>
        It is you. Choose a new password for <strong>{flow.email}</strong>.
      </p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={passwordErrorId} error={error} />
        <NewPasswordField
          value={password}
          onChange={setPassword}
          email={flow.email}
          errorId={isInvalid(error, 'password') ? passwordErrorId : undefined}
        />
        <Checkbox
          id="reset-end-sessions"
          label="Sign me out on every device"
          checked={endSessions}
          onChange={setEndSessions}
        />
        <SubmitButton label="Change password" busyLabel="Changing password…" busy={busy} />
      </form>
    </Card>
  );
}

export function SaveStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  if (!flow.recoveryCode) return <Broken />;
  return (
    <Card>
      <p role="status" className="alert alert-success">
        Your password is changed.
      </p>
      <p>
        Your recovery code was used, so it no longer works. This is your new one: save it before you
        continue.
      </p>
      <RecoveryCodeSave
        id="reset-recovery-save"
        recoveryCode={flow.recoveryCode}
        email={flow.email}
        submitLabel="Continue"
        busyLabel="Continuing…"
        onSaved={async () => follow(await api.resetRecoveryCodeSaved(flow.flow), flow.email)}
        onLost={loseFlow}
      />
    </Card>
  );
}
