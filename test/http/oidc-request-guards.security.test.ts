/**
 * What an authorization request may not do (issue 14), tried against the running provider: no
 * PKCE, or `plain` instead of S256 (a downgrade), is refused before any code exists; a code is
 * not redeemed without its verifier, nor with another; no flow puts a token in the redirect (an
 * implicit or hybrid `response_type` is refused: only `code`); a redirect URI that differs from
 * the registered one by a trailing slash, a query or its case is never redirected to.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient, walk } from '../helpers/oidc-rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://portal.example/callback';
let server: TestServer;
let rp: Awaited<ReturnType<typeof registeredClient>>;
let jar: Jar;

beforeAll(async () => {
  server = await startTestServer();
  rp = await registeredClient(server.app, server.url, {
    redirectUris: [REDIRECT],
    firstParty: true,
  });
  jar = new Jar((await signedInClient(server.app, 'guards@clinic.org')).cookie);
});
afterAll(() => server?.close());

/** An authorization request with exactly these parameters, walked until it leaves the server. */
function ask(params: Record<string, string>) {
  const url = new URL('/oidc/auth', server.url);
  url.search = new URLSearchParams({
    client_id: rp.clientId,
    scope: 'openid',
    state: 'st',
    nonce: 'n',
    ...params,
  }).toString();
  return walk(server.url, url, jar);
}

const S256 = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' };

describe('authorization requests the provider refuses', () => {
  it.each([
    ['no PKCE at all', {}],
    [
      'PKCE downgraded to plain',
      { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
    ],
  ])('refuses %s, with no code', async (_what, pkce) => {
    const landed = await ask({ response_type: 'code', redirect_uri: REDIRECT, ...pkce });
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('error')).toBe('invalid_request');
    expect(landed.searchParams.get('code')).toBeNull();
  });

  it.each(['token', 'id_token', 'code id_token', 'code token', 'id_token token'])(
    'refuses response_type=%s: no token ever travels in the redirect',
    async (responseType) => {
      const landed = await ask({
        response_type: responseType,
        redirect_uri: REDIRECT,
        code_challenge_method: 'S256',
        ...S256,
      });
      expect(landed.hash).not.toMatch(/token/);
      expect(landed.searchParams.get('access_token')).toBeNull();
      expect(landed.searchParams.get('id_token')).toBeNull();
      expect(landed.searchParams.get('error') ?? landed.hash).toMatch(
        /unsupported_response_type|unauthorized_client|invalid/,
      );
    },
  );

  it.each([
    ['a trailing slash', `${REDIRECT}/`],
    ['a query added', `${REDIRECT}?next=/admin`],
    ['another case', REDIRECT.replace('callback', 'Callback')],
    ['another host', 'https://attacker.example/callback'],
  ])('never redirects to a URI with %s', async (_what, redirectUri) => {
    const landed = await ask({
      response_type: 'code',
      redirect_uri: redirectUri,
      code_challenge_method: 'S256',
      ...S256,
    });
    expect(landed.origin).toBe(server.url); // Portcullis's own error page, not the URI given
  });

  it('does not redeem a code without its verifier, nor with another one', async () => {
    for (const verifier of [undefined, oidc.randomPKCECodeVerifier()]) {
      const { landed } = await authorize(server.url, rp.config, REDIRECT, jar);
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        ...(verifier ? { code_verifier: verifier } : {}),
      });
      const res = await fetch(new URL('/oidc/token', server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`,
        },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /invalid_grant|invalid_request/,
      );
    }
  });
});
