/**
 * An application signing in through Portcullis asked for more than this session reached
 * (`acr_values`, or the client's minimum), or a portal behind forward-auth did (`?acr=`): verify again with a factor that reaches it — any
 * second factor for `aal2`, a passkey for `aal2:phishing-resistant` — then back to the sign-in.
 * With none held, the security page adds one (under the policy's rules) and offers the way back.
 */
import { Link } from 'react-router';
import { api, isApiError } from '../api';
import type { AccountSecurity, StepUpMethod } from '../api-types';
import { ErrorAlert } from '../components/error-alert';
import { StepUpPanel } from '../components/step-up-panel';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import { useConfigSettled } from '../config';
import { isInteraction, keepReturnTo, safeReturnTo } from '../return-to';

const PHISHING_RESISTANT = 'urn:portcullis:aal2:phishing-resistant';

/** The methods that reach the level asked for: never an email code (S9). */
export function reachingMethods(methods: StepUpMethod[], acr: string | null): StepUpMethod[] {
  if (acr === PHISHING_RESISTANT) return methods.filter((m) => m === 'passkey');
  return methods.filter((m) => m !== 'email');
}

export function SignInStepUpPage() {
  usePageTitle('Verify your identity');
  const params = new URLSearchParams(window.location.search);
  // A portal's address is checked against the config's origins: wait for it.
  const settled = useConfigSettled();
  const returnTo = settled ? safeReturnTo(params.get('return_to')) : null;
  const acr = params.get('acr');
  const [load] = useLoad(api.accountSecurity);
  if (!settled)
    return (
      <section className="card" aria-busy="true">
        <p role="status">Loading…</p>
      </section>
    );
  if (!returnTo)
    return (
      <section className="card">
        <p role="alert" className="alert alert-error">
          This link is not complete. Start again from the application you were signing in to.
        </p>
      </section>
    );
  const back = () => window.location.assign(returnTo);
  // An application signing in is told the user cancelled; a portal's page is left for the account.
  const cancel = () =>
    window.location.assign(
      isInteraction(returnTo) ? `${returnTo.split('?')[0]}?abort=1` : '/account',
    );
  if (load.state === 'loading')
    return (
      <section className="card" aria-busy="true">
        <p role="status">Loading…</p>
      </section>
    );
  if (load.state === 'failed') {
    // Signed out meanwhile: the application's sign-in starts again from the sign-in page.
    if (isApiError(load.error) && load.error.status === 401) back();
    return (
      <section className="card">
        <ErrorAlert id="step-up-load-error" error={load.error} />
      </section>
    );
  }
  return (
    <StepUpView security={load.data} acr={acr} returnTo={returnTo} back={back} cancel={cancel} />
  );
}

function StepUpView({
  security,
  acr,
  returnTo,
  back,
  cancel,
}: {
  security: AccountSecurity;
  acr: string | null;
  returnTo: string;
  back: () => void;
  cancel: () => void;
}) {
  const methods = reachingMethods(security.stepUp.methods, acr);
  const needs =
    acr === PHISHING_RESISTANT
      ? 'The application you are signing in to needs a sign-in with a passkey.'
      : 'The application you are signing in to needs a sign-in with two factors.';
  if (methods.length === 0)
    return (
      <section className="card" aria-labelledby="add-factor-title">
        <h1 id="add-factor-title">Add a second factor to continue</h1>
        <p role="status" className="alert alert-info">
          {needs}
        </p>
        <p>
          {acr === PHISHING_RESISTANT
            ? 'Add a passkey on your security page, then come back here to continue.'
            : 'Add an authenticator app, a passkey or a phone on your security page, then come back here to continue.'}
        </p>
        <div className="actions">
          <Link className="button" to="/account/security" onClick={() => keepReturnTo(returnTo)}>
            Go to your security page
          </Link>
          <button type="button" className="button button-secondary" onClick={cancel}>
            Cancel sign-in
          </button>
        </div>
      </section>
    );
  return (
    <section className="card">
      <StepUpPanel
        methods={methods}
        reason={needs}
        purpose="continue to the application"
        onVerified={back}
        onCancel={cancel}
      />
    </section>
  );
}
