import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import type { SessionSummary } from '../api-types';
import { ErrorAlert } from '../components/error-alert';
import { RequireSession } from '../components/require-session';
import { describeDevice } from '../device';
import { assuranceName, formatDateTime } from '../format';
import { useAction } from '../hooks/use-action';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';

const loadSessions = () => api.sessions().then((answer) => answer.sessions);

export function SessionsPage() {
  usePageTitle('Your sessions');
  const [load, reload] = useLoad(loadSessions);
  return (
    <RequireSession load={load}>
      {(sessions) => <SessionList sessions={sessions} reload={reload} />}
    </RequireSession>
  );
}

function SessionList({
  sessions,
  reload,
}: {
  sessions: SessionSummary[];
  reload: () => Promise<void>;
}) {
  const { pending, busy, error, run } = useAction<string>();
  const [feedback, setFeedback] = useState('');
  const others = sessions.filter((session) => !session.current);

  function endOne(session: SessionSummary) {
    setFeedback('');
    void run(`end:${session.id}`, async () => {
      try {
        await api.endSession(session.id);
        setFeedback(`Signed out ${describeDevice(session.userAgent)}.`);
      } finally {
        await reload();
      }
    });
  }

  function endOthers() {
    setFeedback('');
    void run('end-others', async () => {
      const { ended } = await api.endOtherSessions();
      setFeedback(
        ended === 0
          ? 'There were no other sessions to sign out.'
          : `Signed out ${ended} other ${ended === 1 ? 'session' : 'sessions'}.`,
      );
      await reload();
    });
  }

  return (
    <section className="card card-wide" aria-labelledby="sessions-title">
      <h1 id="sessions-title">Your sessions</h1>
      <p>These devices are signed in to your account. Sign out any you do not recognise.</p>
      <ErrorAlert id="sessions-error" error={error} />
      {feedback ? (
        <p role="status" className="alert alert-success">
          {feedback}
        </p>
      ) : null}
      <ul className="session-list">
        {sessions.map((session) => (
          <li key={session.id} className="session">
            <h2 id={`session-${session.id}`} className="session-device">
              {describeDevice(session.userAgent)}
              {session.current ? <span className="badge badge-current">This device</span> : null}
            </h2>
            <dl className="details details-compact">
              <dt>IP address</dt>
              <dd>{session.ip ?? 'Unknown'}</dd>
              <dt>Signed in</dt>
              <dd>{formatDateTime(session.createdAt)}</dd>
              <dt>Last seen</dt>
              <dd>{formatDateTime(session.lastSeenAt)}</dd>
              <dt>Assurance</dt>
              <dd>{assuranceName(session.aal)}</dd>
            </dl>
            {session.userAgent ? <p className="user-agent muted">{session.userAgent}</p> : null}
            {session.current ? null : (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => endOne(session)}
                disabled={busy}
                aria-describedby={`session-${session.id}`}
              >
                {pending === `end:${session.id}` ? 'Signing out…' : 'Sign out'}
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="actions">
        <Link className="button button-secondary" to="/account">
          Back to your account
        </Link>
        <button
          type="button"
          className="button button-primary"
          onClick={endOthers}
          disabled={busy || others.length === 0}
        >
          {pending === 'end-others' ? 'Signing out…' : 'Sign out all other sessions'}
        </button>
      </div>
      {others.length === 0 ? <p className="muted">No other devices are signed in.</p> : null}
    </section>
  );
}
