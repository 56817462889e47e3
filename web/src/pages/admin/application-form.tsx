/**
 * Registering an application that signs in through Portcullis (OpenID Connect): its name, kind,
 * how it proves itself (`application-auth-fields.tsx`), exact redirect URIs, where it hears of
 * sign-outs, what it may ask for, the lowest assurance it accepts and how its ID tokens are
 * signed. A client secret is shown once, here, with the client id; it is stored only as a hash.
 */
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { InputError } from '../../error-text';
import { useAction } from '../../hooks/use-action';
import { adminApi, type NewOidcClient, type OidcClient } from './admin-api';
import { ApplicationAuthFields, type AuthMethod } from './application-auth-fields';

const SCOPES = ['openid', 'email', 'phone', 'profile', 'organisation', 'offline_access'] as const;
const ACRS: { value: NonNullable<NewOidcClient['minAcr']>; label: string }[] = [
  { value: 'urn:portcullis:aal1', label: 'A password (or one factor)' },
  { value: 'urn:portcullis:aal2', label: 'Two factors' },
  { value: 'urn:portcullis:aal2:phishing-resistant', label: 'Two factors, one of them a passkey' },
];

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** The pasted JWKS, or the user's error in words. */
function parsedJwks(text: string): NonNullable<NewOidcClient['jwks']> {
  try {
    const parsed = JSON.parse(text) as NewOidcClient['jwks'];
    if (parsed && Array.isArray(parsed.keys)) return parsed;
  } catch {
    // answered below
  }
  throw new InputError('Paste the application’s public keys as a JWKS: { "keys": [ … ] }.', [
    'jwks',
  ]);
}

export interface Registered {
  client: OidcClient;
  clientSecret: string | null;
}

export function ApplicationForm({ onRegistered }: { onRegistered: (done: Registered) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<NewOidcClient['kind']>('confidential');
  const [authMethod, setAuthMethod] = useState<AuthMethod>('client_secret_basic');
  const [jwks, setJwks] = useState('');
  const [idTokenAlg, setIdTokenAlg] = useState<NonNullable<NewOidcClient['idTokenAlg']>>('ES256');
  const [redirects, setRedirects] = useState('');
  const [logouts, setLogouts] = useState('');
  const [backchannel, setBackchannel] = useState('');
  const [scopes, setScopes] = useState<Set<string>>(new Set(['openid', 'email']));
  const [minAcr, setMinAcr] = useState<NonNullable<NewOidcClient['minAcr']>>(ACRS[0]!.value);
  const [firstParty, setFirstParty] = useState(true);
  const saving = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    void saving.run('submit', async () => {
      if (!name.trim()) throw new InputError('Enter the application’s name.', ['name']);
      if (lines(redirects).length === 0)
        throw new InputError('Enter at least one redirect URI.', ['redirect-uris']);
      const withKey = kind === 'confidential' && authMethod === 'private_key_jwt';
      const keys = withKey ? parsedJwks(jwks) : undefined;
      onRegistered(
        await adminApi.registerOidcClient({
          name: name.trim(),
          kind,
          redirectUris: lines(redirects),
          postLogoutRedirectUris: lines(logouts),
          backchannelLogoutUri: backchannel.trim() || null,
          scopes: SCOPES.filter((s) => scopes.has(s)),
          minAcr,
          firstParty,
          idTokenAlg,
          ...(kind === 'confidential' ? { authMethod } : {}),
          ...(keys ? { jwks: keys } : {}),
        }),
      );
    });
  }

  const toggle = (scope: string) =>
    setScopes((held) => {
      const next = new Set(held);
      if (next.has(scope)) next.delete(scope);
      else next.add(scope);
      next.add('openid');
      return next;
    });
  return (
    <form className="panel" aria-labelledby="register-title" onSubmit={submit} noValidate>
      <h2 id="register-title">Register an application</h2>
      <ErrorAlert id="register-error" error={saving.error} />
      <div className="field">
        <label htmlFor="app-name">Name</label>
        <input id="app-name" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <ApplicationAuthFields
        kind={kind}
        setKind={setKind}
        authMethod={authMethod}
        setAuthMethod={setAuthMethod}
        jwks={jwks}
        setJwks={setJwks}
      />
      <div className="field">
        <label htmlFor="redirect-uris">Redirect URIs</label>
        <p id="redirect-uris-hint" className="hint">
          One per line, exactly as the application sends them (https, or http on localhost).
        </p>
        <textarea
          id="redirect-uris"
          rows={2}
          value={redirects}
          aria-describedby="redirect-uris-hint"
          onChange={(e) => setRedirects(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="logout-uris">After sign-out, back to (optional)</label>
        <textarea
          id="logout-uris"
          rows={2}
          value={logouts}
          onChange={(e) => setLogouts(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="backchannel-uri">Tell it when the user signs out (optional)</label>
        <p id="backchannel-uri-hint" className="hint">
          Its back-channel logout URI: Portcullis posts a signed logout token there when the
          user&rsquo;s session ends (signed out, ended by an administrator, deactivated).
        </p>
        <input
          id="backchannel-uri"
          value={backchannel}
          aria-describedby="backchannel-uri-hint"
          onChange={(e) => setBackchannel(e.target.value)}
        />
      </div>
      <fieldset className="field">
        <legend>What it may ask for</legend>
        {SCOPES.map((scope) => (
          <label key={scope}>
            <input
              type="checkbox"
              checked={scopes.has(scope)}
              disabled={scope === 'openid'}
              onChange={() => toggle(scope)}
            />{' '}
            {scope}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="min-acr">The least it accepts</label>
        <select
          id="min-acr"
          value={minAcr}
          onChange={(e) => setMinAcr(e.target.value as typeof minAcr)}
        >
          {ACRS.map((acr) => (
            <option key={acr.value} value={acr.value}>
              {acr.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="id-token-alg">ID tokens signed with</label>
        <select
          id="id-token-alg"
          value={idTokenAlg}
          onChange={(e) => setIdTokenAlg(e.target.value as typeof idTokenAlg)}
        >
          <option value="ES256">ES256 (the default)</option>
          <option value="RS256">RS256 (for applications that need it)</option>
        </select>
      </div>
      <label className="field">
        <input
          type="checkbox"
          checked={firstParty}
          onChange={(e) => setFirstParty(e.target.checked)}
        />{' '}
        This deployment’s own application (users are not asked to allow it)
      </label>
      <div className="actions">
        <button type="submit" className="button" disabled={saving.busy}>
          {saving.busy ? 'Registering…' : 'Register'}
        </button>
      </div>
    </form>
  );
}
