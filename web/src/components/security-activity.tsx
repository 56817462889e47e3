import { api } from '../api';
import { errorText } from '../error-text';
import { formatDateTime } from '../format';
import { useLoad } from '../hooks/use-load';
import { describeDevice } from '../device';

/** "Recent security activity": the account's sign-ins, failed attempts and changes, newest first. */
export function SecurityActivity() {
  const [load] = useLoad(api.accountActivity);
  return (
    <div className="method" role="region" aria-labelledby="activity-title">
      <h3 id="activity-title">Recent security activity</h3>
      <p className="hint">
        If you do not recognise something here, change your password and contact Customer Service.
      </p>
      {load.state === 'loading' ? (
        <p role="status">Loading…</p>
      ) : load.state === 'failed' ? (
        <p role="alert" className="alert alert-error">
          {errorText(load.error)}
        </p>
      ) : load.data.events.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="activity">
          {load.data.events.map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <strong>{event.description}</strong>
              <span className="muted">
                {' '}
                {formatDateTime(event.at)}
                {event.userAgent ? ` · ${describeDevice(event.userAgent)}` : ''}
                {event.ip ? ` · ${event.ip}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
