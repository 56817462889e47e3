/**
 * `/admin/users/:userId`: one user as the help desk needs them — account, factors with their
 * destinations masked, sessions, recent security events — and the actions their policy allows
 * (user-actions.tsx). After an action the page says what changed and loads the user again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { Link, useParams } from 'react-router';
import { describeDevice } from '../../device';
import { formatDate, formatDateTime } from '../../format';
import { useLoad } from '../../hooks/use-load';
import { usePageTitle } from '../../hooks/use-page-title';
import { adminApi, type UserDetail } from './admin-api';
import { AdminLoad, AdminShell } from './admin-shell';
import { UserActions } from './user-actions';
import { roleWords, stateWords } from './words';

export function AdminUserPage() {
  const { userId = '' } = useParams();
  const load = useCallback(() => adminApi.user(userId), [userId]);
  const [result, reload] = useLoad(load);
  const [message, setMessage] = useState('');
  const deploymentAdmin = useDeploymentAdmin();
  /** After an action, the focus goes to what it did: its button may be gone with the reload. */
  const messageRef = useRef<HTMLParagraphElement>(null);
  usePageTitle(result.state === 'ready' ? `Admin console: ${result.data.user.email}` : 'User');
  return (
    <AdminShell
      title={result.state === 'ready' ? result.data.user.email : 'User'}
      load={result}
      retry={() => void reload()}
    >
      <p
        ref={messageRef}
        role="status"
        tabIndex={-1}
        className={message ? 'alert alert-success' : 'visually-hidden'}
      >
        {message}
      </p>
      <AdminLoad load={result} retry={() => void reload()}>
        {(detail) => (
          <>
            <Account detail={detail} />
            <UserActions
              detail={detail}
              deploymentAdmin={deploymentAdmin}
              onDone={async (done) => {
                setMessage(done);
                await reload();
                messageRef.current?.focus();
              }}
            />
            <Factors detail={detail} />
            <Sessions detail={detail} />
            <Events detail={detail} />
          </>
        )}
      </AdminLoad>
      <p className="card-footer">
        <Link to="/admin">Back to users</Link>
      </p>
    </AdminShell>
  );
}

/** Whether the signed-in administrator is the deployment's (role `admin`), not an organisation's. */
function useDeploymentAdmin(): boolean {
  const [deployment, setDeployment] = useState(false);
  useEffect(() => {
    let live = true;
    api.session().then(
      (answer) => live && setDeployment(answer.user.role === 'admin'),
      () => live && setDeployment(false),
    );
    return () => {
      live = false;
    };
  }, []);
  return deployment;
}

function Account({ detail: { user } }: { detail: UserDetail }) {
  return (
    <dl className="details">
      <dt>Email</dt>
      <dd>
        {user.email}{' '}
        {user.emailVerified ? (
          <span className="badge badge-verified">VERIFIED</span>
        ) : (
          <span className="badge badge-pending">NOT VERIFIED</span>
        )}
      </dd>
      {user.name ? (
        <>
          <dt>Name</dt>
          <dd>{user.name}</dd>
        </>
      ) : null}
      <dt>Organisation</dt>
      <dd>{user.organisationName ?? 'None'}</dd>
      <dt>Role</dt>
      <dd>{roleWords(user.role)}</dd>
      <dt>State</dt>
      <dd>
        {stateWords(user.state)}
        {user.locked ? ', locked after too many failed attempts' : ''}
      </dd>
      <dt>MFA</dt>
      <dd>{user.mfaOffUntil ? `MFA off until ${formatDateTime(user.mfaOffUntil)}` : 'On'}</dd>
      <dt>Created</dt>
      <dd>{formatDateTime(user.createdAt)}</dd>
      <dt>Last sign-in</dt>
      <dd>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : 'Never'}</dd>
    </dl>
  );
}

function Factors({ detail: { factors } }: { detail: UserDetail }) {
  const { phone, pendingPhone, totp, passkeys, recoveryCode } = factors;
  const none = !phone && !pendingPhone && !totp && passkeys.length === 0 && !recoveryCode;
  return (
    <section aria-labelledby="factors-title">
      <h2 id="factors-title">Sign-in methods</h2>
      {none ? <p className="muted">No second factor yet: the password only.</p> : null}
      <ul className="plain-list admin-list">
        {phone ? (
          <li>
            Phone <span className="nowrap">{phone.masked}</span> ({phone.kind}), since{' '}
            {formatDate(phone.since)}
          </li>
        ) : null}
        {pendingPhone ? (
          <li>
            New phone <span className="nowrap">{pendingPhone.masked}</span>, waiting for the user to
            confirm (entered {formatDateTime(pendingPhone.since)})
          </li>
        ) : null}
        {totp ? (
          <li>
            Authenticator app since {formatDate(totp.since)}
            {totp.lastUsedAt ? `, last used ${formatDateTime(totp.lastUsedAt)}` : ', not used yet'}
          </li>
        ) : null}
        {passkeys.map((k) => (
          <li key={k.id}>
            Passkey “{k.name}” since {formatDate(k.since)}
            {k.lastUsedAt ? `, last used ${formatDateTime(k.lastUsedAt)}` : ''}
          </li>
        ))}
        {recoveryCode ? (
          <li>
            {recoveryCode.savedAt
              ? `Recovery code saved ${formatDate(recoveryCode.savedAt)}`
              : `Recovery code made ${formatDate(recoveryCode.since)}, not saved yet`}
          </li>
        ) : null}
      </ul>
    </section>
  );
}

function Sessions({ detail: { sessions } }: { detail: UserDetail }) {
  return (
    <section aria-labelledby="user-sessions-title">
      <h2 id="user-sessions-title">Sessions</h2>
      {sessions.length === 0 ? (
        <p className="muted">Not signed in anywhere.</p>
      ) : (
        <ul className="plain-list admin-list">
          {sessions.map((s) => (
            <li key={s.id}>
              {describeDevice(s.userAgent)}, IP {s.ip ?? 'unknown'}, last seen{' '}
              {formatDateTime(s.lastSeenAt)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Events({ detail: { events, user } }: { detail: UserDetail }) {
  return (
    <section aria-labelledby="user-events-title">
      <h2 id="user-events-title">Recent security events</h2>
      {events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <ul className="plain-list admin-list">
          {events.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              {formatDateTime(e.at)}: {e.description}
              {e.ip ? ` (IP ${e.ip})` : ''}
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/admin/audit?targetId=${encodeURIComponent(user.id)}`}>
          All of this user’s events in the audit log
        </Link>
      </p>
    </section>
  );
}
