/**
 * The OpenID Connect provider's first face (issue 14), over a real socket, read by a real relying
 * party library (`openid-client`): discovery at the issuer (`PUBLIC_URL`) names the endpoints
 * under `/oidc/`, PKCE's S256, and a JWKS with an ES256 and an RS256 key and no private part; the
 * token endpoint answers a relying party in OAuth's words (not with our CSRF refusal, which
 * guards the hosted pages' API, not a client-authenticated endpoint).
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOidcProtocolRequest } from '../../src/http/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('OpenID Connect discovery', () => {
  it('is at the issuer, with the endpoints, S256 and the signing algorithms', async () => {
    const config = await oidc.discovery(
      new URL(server.url),
      'no-client-yet',
      undefined,
      undefined,
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(server.url);
    expect(meta.authorization_endpoint).toBe(`${server.url}/oidc/auth`);
    expect(meta.token_endpoint).toBe(`${server.url}/oidc/token`);
    expect(meta.jwks_uri).toBe(`${server.url}/oidc/jwks`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['ES256', 'RS256']),
    );
  });

  it('publishes the signing keys, public parts only', async () => {
    const { keys } = (await (await fetch(`${server.url}/oidc/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      expect(key.kid).toEqual(expect.any(String));
      expect(key.d).toBeUndefined();
    }
  });

  it("answers the token endpoint in OAuth's words, with no CSRF header asked of a client", async () => {
    const res = await fetch(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=nope&client_id=nobody',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });
});

describe('what the CSRF check leaves to the provider', () => {
  it('is the protocol endpoints only: never the sign-in interaction, never a lookalike path', async () => {
    expect(isOidcProtocolRequest('/oidc/token')).toBe(true);
    expect(isOidcProtocolRequest('/.well-known/openid-configuration')).toBe(true);
    expect(isOidcProtocolRequest('/oidc/interaction/abc')).toBe(false);
    expect(isOidcProtocolRequest('/oidcx/token')).toBe(false);
    expect(isOidcProtocolRequest('/api/v1/sign-in')).toBe(false);
    const res = await fetch(`${server.url}/api/v1/sign-out`, { method: 'POST' });
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'CSRF_CHECK_FAILED',
    );
  });
});
