/**
 * How a registered application proves itself at the token endpoint: a server keeps a secret
 * (shown once) or signs with its own key (`private_key_jwt`: only its public keys, a JWKS, are
 * registered); a browser or mobile app keeps nothing (public: PKCE alone).
 */
import type { NewOidcClient } from './admin-api';

export type AuthMethod = NonNullable<NewOidcClient['authMethod']>;

export interface AuthFieldsProps {
  kind: NewOidcClient['kind'];
  setKind: (kind: NewOidcClient['kind']) => void;
  authMethod: AuthMethod;
  setAuthMethod: (method: AuthMethod) => void;
  jwks: string;
  setJwks: (jwks: string) => void;
}

export function ApplicationAuthFields(p: AuthFieldsProps) {
  const radio = <T extends string>(name: string, value: T, held: T, set: (v: T) => void) => (
    <input type="radio" name={name} checked={held === value} onChange={() => set(value)} />
  );
  return (
    <>
      <fieldset className="field">
        <legend>Kind</legend>
        <label>
          {radio('kind', 'confidential', p.kind, p.setKind)} A server (confidential: it keeps a
          secret or a key)
        </label>
        <label>
          {radio('kind', 'public', p.kind, p.setKind)} A browser or mobile app (public: PKCE, no
          secret)
        </label>
      </fieldset>
      {p.kind === 'confidential' ? (
        <fieldset className="field">
          <legend>How it proves itself</legend>
          <label>
            {radio('auth', 'client_secret_basic', p.authMethod, p.setAuthMethod)} With a secret,
            shown once when it is registered
          </label>
          <label>
            {radio('auth', 'private_key_jwt', p.authMethod, p.setAuthMethod)} With its own key
            (private_key_jwt)
          </label>
        </fieldset>
      ) : null}
      {p.kind === 'confidential' && p.authMethod === 'private_key_jwt' ? (
        <div className="field">
          <label htmlFor="jwks">Its public keys (JWKS)</label>
          <p id="jwks-hint" className="hint">
            Paste {'{ "keys": [ … ] }'} with the public keys only: a private key never leaves the
            application.
          </p>
          <textarea
            id="jwks"
            rows={4}
            value={p.jwks}
            aria-describedby="jwks-hint"
            onChange={(e) => p.setJwks(e.target.value)}
          />
        </div>
      ) : null}
    </>
  );
}
