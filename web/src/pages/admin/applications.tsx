/**
 * The admin console's Applications: the OpenID Connect clients that sign users in through
 * Portcullis, registered here (a secret shown once) and removed here (nothing can authenticate as
 * it any more). The deployment's administrators only; an organisation administrator is told so.
 */
import { useState } from 'react';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks/use-load';
import { usePageTitle } from '../../hooks/use-page-title';
import { adminApi, type OidcClient } from './admin-api';
import { AdminLoad, AdminShell } from './admin-shell';
import { ApplicationForm, type Registered } from './application-form';
import { ConfirmDialog } from './confirm-dialog';

const acrWords: Record<string, string> = {
  'urn:portcullis:aal1': 'one factor',
  'urn:portcullis:aal2': 'two factors',
  'urn:portcullis:aal2:phishing-resistant': 'a passkey',
};

const loadClients = () => adminApi.oidcClients().then((answer) => answer.clients);

export function AdminApplicationsPage() {
  usePageTitle('Applications');
  const [load, reload] = useLoad(loadClients);
  const [registered, setRegistered] = useState<Registered | null>(null);
  const [removing, setRemoving] = useState<OidcClient | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <AdminShell title="Applications" load={load} retry={() => void reload()}>
      {notice ? (
        <p role="status" className="alert alert-success">
          {notice}
        </p>
      ) : null}
      {registered ? (
        <SecretOnce registered={registered} onDone={() => setRegistered(null)} />
      ) : null}
      <AdminLoad load={load} retry={() => void reload()}>
        {(clients) =>
          clients.length === 0 ? (
            <p>No application signs in through Portcullis yet.</p>
          ) : (
            <table className="admin-table">
              <caption className="visually-hidden">Registered applications</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Redirect URIs</th>
                  <th scope="col">Told of sign-outs</th>
                  <th scope="col">Needs at least</th>
                  <th scope="col">Registered</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.map((client) => (
                  <tr key={client.clientId}>
                    <td>
                      {client.name}
                      {client.firstParty ? <span className="badge">Own</span> : null}
                    </td>
                    <td>
                      <code>{client.clientId}</code>
                    </td>
                    <td>
                      {client.kind}
                      {client.authMethod === 'private_key_jwt' ? ' (its own key)' : ''}
                      {client.idTokenAlg === 'RS256' ? ', RS256' : ''}
                    </td>
                    <td>{client.redirectUris.join(', ')}</td>
                    <td>{client.backchannelLogoutUri ?? 'No'}</td>
                    <td>{acrWords[client.minAcr] ?? client.minAcr}</td>
                    <td>{formatDateTime(client.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-secondary"
                        onClick={() => setRemoving(client)}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AdminLoad>
      {load.state === 'ready' ? (
        <ApplicationForm
          onRegistered={(done) => {
            setNotice(null);
            setRegistered(done);
            void reload();
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          id="remove-application"
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove application"
          busyLabel="Removing…"
          reason="none"
          danger
          act={async () => {
            await adminApi.removeOidcClient(removing.clientId);
            return `${removing.name} was removed. It can no longer sign anyone in.`;
          }}
          onDone={(message) => {
            setRemoving(null);
            setNotice(message);
            void reload();
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            Its users can no longer sign in to it through Portcullis, and the tokens it holds stop
            working.
          </p>
        </ConfirmDialog>
      ) : null}
    </AdminShell>
  );
}

function SecretOnce({ registered, onDone }: { registered: Registered; onDone: () => void }) {
  const { client, clientSecret } = registered;
  return (
    <div role="status" className="alert alert-success" aria-labelledby="secret-title">
      <h2 id="secret-title">{client.name} is registered</h2>
      <p>
        Client id: <code data-testid="client-id">{client.clientId}</code>
      </p>
      {clientSecret ? (
        <p>
          Client secret: <code data-testid="client-secret">{clientSecret}</code>
          <br />
          Copy it into the application’s configuration now: it is not shown again.
        </p>
      ) : client.authMethod === 'private_key_jwt' ? (
        <p>It has no secret: it proves itself with its own key, whose public part you gave.</p>
      ) : (
        <p>A public client has no secret: it signs in with PKCE.</p>
      )}
      <button type="button" className="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
