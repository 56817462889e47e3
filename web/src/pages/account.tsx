import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api';
import type { AccountSecurity, SessionAnswer } from '../api-types';
import { ErrorAlert } from '../components/error-alert';
import { MfaExemptionNotice } from '../components/mfa-exemption-notice';
import { NoticeDialog } from '../components/notice-dialog';
import { RequireSession } from '../components/require-session';
import { useSecurityWords } from '../config';
import { flowStore } from '../flow-store';
import {
  assuranceName,
  formatDate,
  formatDateTime,
  formatDay,
  methodName,
  roleName,
} from '../format';
import { useAction } from '../hooks/use-action';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import type { SignInState } from './sign-in';

/**
 * Navigation state for this page: the user has just skipped adding a phone at sign-in, or the
 * policy's minimum (seed 001: a passkey, the app or a phone) with its date.
 */
export interface AccountState {
  phoneSkipped?: boolean;
  minimumSkipped?: { deadline: string | null };
}

interface AccountData extends SessionAnswer {
  /** For the name of the security page; null if it could not be loaded. */
  security: AccountSecurity | null;
}

const loadAccount = async (): Promise<AccountData> => {
  const [answer, security] = await Promise.all([
    api.session(),
    api.accountSecurity().catch(() => null),
  ]);
  return { ...answer, security };
};

export function AccountPage() {
  usePageTitle('Your account');
  const [load] = useLoad(loadAccount);
  return <RequireSession load={load}>{(data) => <AccountOverview {...data} />}</RequireSession>;
}

function AccountOverview({ user, session, security }: AccountData) {
  const navigate = useNavigate();
  const location = useLocation();
  const { busy, error, run } = useAction();
  const [skipped] = useState(() => (location.state as AccountState | null) ?? {});
  const [skipNotice, setSkipNotice] = useState(
    () => skipped.phoneSkipped === true || skipped.minimumSkipped !== undefined,
  );
  const words = useSecurityWords(security?.policy);

  function closeSkipNotice() {
    setSkipNotice(false);
    // Forget the notice, so a reload does not show it again.
    navigate(location.pathname, { replace: true, state: null });
  }

  function signOut() {
    void run('submit', async () => {
      await api.signOut();
      flowStore.clear();
      const state: SignInState = { notice: 'You have signed out.' };
      navigate('/sign-in', { replace: true, state });
    });
  }

  return (
    <section className="card" aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <MfaExemptionNotice until={user.mfaExemptUntil} />
      <ErrorAlert id="account-error" error={error} />
      <dl className="details">
        <dt>Email address</dt>
        <dd>
          <span className="email">{user.email}</span>{' '}
          {user.emailVerified ? (
            <span className="badge badge-verified">VERIFIED</span>
          ) : (
            <span className="badge badge-pending">NOT VERIFIED</span>
          )}
        </dd>
        <dt>Role</dt>
        <dd>{roleName(user.role)}</dd>
        <dt>Account created</dt>
        <dd>{formatDate(user.createdAt)}</dd>
      </dl>
      <h2>This session</h2>
      <dl className="details">
        <dt>Assurance level</dt>
        <dd>{assuranceName(session.aal)}</dd>
        <dt>Verified with</dt>
        <dd>
          <ul className="plain-list">
            {session.amr.map((entry) => (
              <li key={`${entry.method}-${entry.at}`}>
                {methodName(entry.method)}{' '}
                <span className="muted">at {formatDateTime(entry.at)}</span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Signed in</dt>
        <dd>{formatDateTime(session.createdAt)}</dd>
      </dl>
      {skipNotice && skipped.minimumSkipped ? (
        <NoticeDialog
          id="minimum-later"
          title="You can set this up later"
          onClose={closeSkipNotice}
        >
          <p>
            To add a passkey, the authenticator app or a phone number at any time, open{' '}
            {words.title} and select the Security tab.
            {skipped.minimumSkipped.deadline
              ? ` From ${formatDay(skipped.minimumSkipped.deadline)} you need one of them to sign in.`
              : null}
          </p>
        </NoticeDialog>
      ) : skipNotice ? (
        <NoticeDialog
          id="phone-later"
          title="You can add a phone number later"
          onClose={closeSkipNotice}
        >
          <p>
            To add a mobile phone number at any time, open {words.title}, select the Security tab
            and click “{words.change}”.
          </p>
        </NoticeDialog>
      ) : null}
      <div className="actions">
        <Link className="button button-secondary" to="/account/security">
          {words.title}
        </Link>
        <Link className="button button-secondary" to="/account/sessions">
          Manage your sessions
        </Link>
        <button type="button" className="button button-primary" onClick={signOut} disabled={busy}>
          {busy ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </section>
  );
}
