/**
 * An application that is not this deployment's own asks to sign the user in through Portcullis:
 * it is named, with what it would see, and the user allows or declines. Allowed once, the same
 * scopes are not asked again for this account (the grant is kept until revoked).
 */
import { useCallback } from 'react';
import { api, isApiError } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useAction } from '../hooks/use-action';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import { safeReturnTo } from '../return-to';

const uidOf = (path: string) => path.split('?')[0]!.split('/').pop()!;

export function SignInConsentPage() {
  usePageTitle('Allow access');
  const returnTo = safeReturnTo(new URLSearchParams(window.location.search).get('return_to'));
  const uid = returnTo ? uidOf(returnTo) : '';
  const load = useLoad(useCallback(() => api.consentRequest(uid), [uid]))[0];
  const answering = useAction<'allow' | 'decline'>();
  if (!returnTo)
    return (
      <section className="card">
        <p role="alert" className="alert alert-error">
          This link is not complete. Start again from the application you were signing in to.
        </p>
      </section>
    );
  if (load.state === 'loading')
    return (
      <section className="card" aria-busy="true">
        <p role="status">Loading…</p>
      </section>
    );
  if (load.state === 'failed') {
    // The sign-in moved on (signed out, or a step-up now owed): continue where it is.
    if (isApiError(load.error, 'OIDC_INTERACTION_MOVED')) window.location.assign(returnTo);
    return (
      <section className="card">
        <ErrorAlert id="consent-load-error" error={load.error} />
      </section>
    );
  }
  const { client, scopes } = load.data;
  const answer = (allow: boolean) =>
    void answering.run(allow ? 'allow' : 'decline', async () => {
      window.location.assign((await api.answerConsent(uid, allow)).redirectTo);
    });
  return (
    <section className="card" aria-labelledby="consent-title">
      <h1 id="consent-title">Allow {client.name} to sign you in?</h1>
      <p>If you allow it, {client.name} will be able to:</p>
      <ul aria-label="What the application asks for">
        {scopes.map((s) => (
          <li key={s.scope}>{s.description}</li>
        ))}
      </ul>
      <p className="hint">It never sees your password or your second factors.</p>
      <ErrorAlert id="consent-error" error={answering.error} />
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={answering.busy}
          onClick={() => answer(true)}
        >
          {answering.pending === 'allow' ? 'Allowing…' : 'Allow'}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={answering.busy}
          onClick={() => answer(false)}
        >
          {answering.pending === 'decline' ? 'Declining…' : 'Decline'}
        </button>
      </div>
    </section>
  );
}
