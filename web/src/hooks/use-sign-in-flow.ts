import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api';
import type { SignInResult } from '../api-types';
import { errorText } from '../error-text';
import { flowStore, pathForStep, type ActiveFlow } from '../flow-store';
import { takeReturnTo } from '../return-to';
import type { SignInState } from '../pages/sign-in';

/**
 * The sign-in flow for the page at `here`: the flow in memory, or after a reload the current step
 * asked of the server with the token kept in sessionStorage. `follow` takes any sign-in answer
 * to where it leads — this page for its own steps, another step's page, the account once signed
 * in, or back to the sign-in page when the server says to start again.
 */
export function useSignInFlow(here: string) {
  const navigate = useNavigate();
  const [active, setActive] = useState<ActiveFlow | null>(() => flowStore.current());
  const [lost, setLost] = useState<string | null>(null);

  const loseFlow = useCallback((cause: unknown) => {
    flowStore.clear();
    setLost(errorText(cause));
  }, []);

  /** `state` goes with a move to another page (a notice for it to show). */
  const follow = useCallback(
    (result: SignInResult, state?: unknown) => {
      if (result.status === 'signed_in') {
        // A step skipped earlier in this sign-in tells the account page where to add it later.
        const kept = (flowStore.current() ?? flowStore.saved())?.accountState;
        flowStore.clear();
        // An application's sign-in through Portcullis goes back to it (OpenID Connect).
        const back = takeReturnTo();
        if (back) window.location.assign(back);
        else navigate('/account', { replace: true, state: state ?? kept });
        return;
      }
      if (result.status === 'restart') {
        flowStore.clear();
        const notice: SignInState = { notice: result.message };
        navigate('/sign-in', { replace: true, state: notice });
        return;
      }
      const path = pathForStep(result.flow.step);
      if (!path) throw new Error('This sign-in needs a step these pages cannot show yet.');
      const next = flowStore.fresh(result.flow);
      if (path === here) setActive(next);
      else navigate(path, { replace: true, state });
    },
    [here, navigate],
  );

  useEffect(() => {
    // A flow in memory whose step lives on another page (the Back button): go there.
    if (active) {
      const path = pathForStep(active.flow.step);
      if (path && path !== here) navigate(path, { replace: true });
      return undefined;
    }
    // After a reload only the token is left: ask the server for the current step.
    const saved = flowStore.saved();
    if (!saved) {
      navigate('/sign-in', { replace: true });
      return undefined;
    }
    let live = true;
    api.currentStep(saved.token).then(
      (answer) => {
        if (live) follow(answer);
      },
      (cause: unknown) => {
        if (live) loseFlow(cause);
      },
    );
    return () => {
      live = false;
    };
  }, []); // once, on arrival

  const ready = active !== null && pathForStep(active.flow.step) === here;
  return { active: ready ? active : null, lost, loseFlow, follow };
}
