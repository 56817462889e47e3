import { api } from '../api';
import { RecoveryCodeSave } from '../components/recovery-code-save';
import type { ActiveFlow } from '../flow-store';
import type { useSignInFlow } from '../hooks/use-sign-in-flow';

export const saveRecoveryCodeTitle = 'Save your recovery code';

type StepProps = Omit<ReturnType<typeof useSignInFlow>, 'active'> & {
  active: ActiveFlow;
  /** `after_use`: the user has just signed in with their recovery code (this page knows it). */
  reason: 'after_use' | undefined;
};

/**
 * The save_recovery_code step of sign-in (shown on the /sign-in/code page): after a recovery
 * code was used the old one is gone and this is its replacement; under a policy that requires
 * a recovery code, this is the user's first. Shown once; "Continue" needs the box ticked.
 */
export function SaveRecoveryCodeStep({ active, follow, loseFlow, reason }: StepProps) {
  const { flow } = active;
  if (!flow.recoveryCode) return null;
  return (
    <section className="card" aria-labelledby="recovery-title">
      <h1 id="recovery-title">{saveRecoveryCodeTitle}</h1>
      <p>
        {reason === 'after_use'
          ? 'You signed in with your recovery code, so it no longer works. This is your new one. '
          : null}
        Keep this code to sign in if you cannot use your phone or authenticator app. Save it before
        you continue.
      </p>
      <RecoveryCodeSave
        id="sign-in-recovery"
        recoveryCode={flow.recoveryCode}
        email={active.email}
        submitLabel="Continue"
        busyLabel="Continuing…"
        onSaved={async () => follow(await api.signInRecoveryCodeSaved(flow.flow))}
        onLost={loseFlow}
      />
    </section>
  );
}
