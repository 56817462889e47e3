import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api';
import type { ResetAnswer } from '../api-types';
import { LoadingCard } from '../components/flow-problem';
import { errorText } from '../error-text';
import { usePageTitle } from '../hooks/use-page-title';
import { resetStore, type ActiveReset } from '../reset-flow-store';
import type { SignInState } from './sign-in';
import { title } from './forgot-password/card';
import { EmailCodeStep, RecoveryCodeStep } from './forgot-password/code-steps';
import { NewPasswordStep, SaveStep } from './forgot-password/finish-steps';
import { SecondFactorStep } from './forgot-password/second-factor-step';
import { StartStep } from './forgot-password/start-step';

/**
 * "Forgot your password?" — signed out, the user proves who they are the way the policy allows
 * (seed 000: through email only; seed 001: the recovery code and then a passkey, the
 * authenticator app or the phone), chooses a new password, and goes back to sign in: a reset
 * never signs anyone in.
 */
export function ForgotPasswordPage() {
  usePageTitle(title);
  const navigate = useNavigate();
  const [active, setActive] = useState<ActiveReset | null>(null);
  const [lost, setLost] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(() => resetStore.savedToken() !== null);

  const loseFlow = useCallback((cause: unknown) => {
    resetStore.clear();
    setActive(null);
    setLost(errorText(cause));
  }, []);

  const follow = useCallback(
    (answer: ResetAnswer, email?: string) => {
      if (answer.status === 'completed') {
        resetStore.clear();
        const next: SignInState = { notice: answer.message, ...(email ? { email } : {}) };
        navigate('/sign-in', { replace: true, state: next });
        return;
      }
      setLost(null);
      setActive(resetStore.fresh(answer.flow));
    },
    [navigate],
  );

  useEffect(() => {
    // After a reload only the token is left: ask the server where the reset stands.
    const token = resetStore.savedToken();
    if (!token) return undefined;
    let live = true;
    api
      .resetStep(token)
      .then(
        (answer) => {
          if (live) follow(answer);
        },
        (cause: unknown) => {
          if (live) loseFlow(cause);
        },
      )
      .finally(() => {
        if (live) setRestoring(false);
      });
    return () => {
      live = false;
    };
  }, []); // once, on arrival

  if (restoring && !active) return <LoadingCard />;
  if (!active) return <StartStep lost={lost} onStarted={follow} />;
  const props = { active, follow, loseFlow };
  switch (active.flow.step) {
    case 'email_code':
      return <EmailCodeStep {...props} />;
    case 'recovery_code':
      return <RecoveryCodeStep {...props} />;
    case 'second_factor':
      return <SecondFactorStep {...props} />;
    case 'new_password':
      return <NewPasswordStep {...props} />;
    case 'save_recovery_code':
      return <SaveStep {...props} />;
  }
}
