/**
 * The provider's own pages are Portcullis's (issue 14): a sign-in that cannot go back to the
 * application shows its words, the error's code and a status that says so; RP-initiated logout
 * asks "Sign out of …?"; each under a Content-Security-Policy allowing nothing but its own style
 * and forms to this site — never the provider's pages (which fetch a third party's web font),
 * never a stack, and nothing a request put in them unescaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient } from '../helpers/oidc-rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function expectErrorPage(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toMatch(
    /^default-src 'none'; style-src 'sha256-/,
  );
  const html = await res.text();
  expect(html).not.toMatch(/at .+\.(js|ts):\d+/); // no stack
  expect(html).not.toContain('googleapis');
  return html;
}

describe('the sign-in problem page', () => {
  it('answers an interaction that does not exist with the page, 400', async () => {
    const html = await expectErrorPage(await fetch(`${server.url}/oidc/interaction/nope`), 400);
    expect(html).toContain('<h1>This sign-in cannot continue</h1>');
    expect(html).toContain('This sign-in link has expired or is not valid.');
  });

  it('answers an authorization request from an unknown client with the page, and escapes what it was sent', async () => {
    const url = new URL('/oidc/auth', server.url);
    url.searchParams.set('client_id', '<script>alert(1)</script>');
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', 'https://x.example/cb');
    url.searchParams.set('scope', 'openid');
    const html = await expectErrorPage(await fetch(url), 400);
    expect(html).toContain('<h1>This sign-in cannot continue</h1>');
    expect(html).toContain('<code>invalid_client</code>');
    expect(html).not.toContain('<script>');
  });

  it('asks "Sign out of …?" for RP-initiated logout, in its own page', async () => {
    const redirect = 'https://portal.example/callback';
    const { config } = await registeredClient(server.app, server.url, {
      redirectUris: [redirect],
      firstParty: true,
    });
    const user = await signedInClient(server.app, 'lou@clinic.org');
    const jar = new Jar(user.cookie);
    const asked = await authorize(server.url, config, redirect, jar);
    const tokens = await oidc.authorizationCodeGrant(config, asked.landed, {
      pkceCodeVerifier: asked.verifier,
      expectedState: asked.state,
      expectedNonce: asked.nonce,
    });
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
    const html = await expectErrorPage(await fetch(end, { headers: { cookie: jar.header } }), 200);
    expect(html).toContain('<h1>Sign out of Spectera Provider Portal?</h1>');
    expect(html).toMatch(
      /<form id="op.logoutForm" method="post" action="[^"]*\/oidc\/session\/end\/confirm"/,
    );
    expect(html).toContain('Yes, sign out');
  });
});
