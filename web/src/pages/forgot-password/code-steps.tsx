/** The reset's first proofs: the code sent to the email, or the saved recovery code. */
import { api } from '../../api';
import { CodeEntry } from '../../components/code-entry';
import { CodeForm } from '../../components/code-form';
import { digitsWord } from '../../format';
import { newCodeNotice } from '../verify-email';
import { Broken, Card, type StepProps } from './card';

export function EmailCodeStep({ active, follow, loseFlow }: StepProps) {
  const { flow, offsetMs } = active;
  if (!flow.code) return <Broken />;
  return (
    <Card>
      <p>
        If <strong>{flow.email}</strong> belongs to an account, we sent a{' '}
        {digitsWord(flow.code.length)} verification code to it. Enter it below to choose a new
        password.
      </p>
      <CodeEntry
        id="reset-code"
        label="Verification code"
        submitLabel="Verify"
        emptyMessage="Enter the code from the email."
        code={flow.code}
        offsetMs={offsetMs}
        verify={async (code) => follow(await api.resetVerifyCode(flow.flow, code))}
        resend={async () => {
          const answer = await api.resetResendCode(flow.flow);
          follow(answer);
          return newCodeNotice(answer.flow);
        }}
        onLost={loseFlow}
      />
    </Card>
  );
}

export function RecoveryCodeStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  return (
    <Card>
      <p>
        Enter the recovery code you saved for <strong>{flow.email}</strong>. Spaces and dashes are
        fine. Then you confirm it with your passkey, your authenticator app or your phone.
      </p>
      <CodeForm
        id="reset-recovery"
        kind="recovery"
        label="Recovery code"
        submitLabel="Continue"
        emptyMessage="Enter your recovery code."
        autoFocus
        verify={async (code) => follow(await api.resetRecoveryCode(flow.flow, code))}
        onLost={loseFlow}
      />
    </Card>
  );
}
