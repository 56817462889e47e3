/**
 * An application that is not the deployment's own (issue 14): the user is asked, on the consent
 * page, whether it may sign them in and see what it asked for. Declined: `access_denied`, no code.
 * Allowed: a code, and the same scopes are not asked again. The answer is bound to the browser that
 * started the sign-in (the interaction's cookie), CSRF-checked, and re-runs every check of the
 * interaction: it never grants below the client's minimum acr.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient, walk } from '../helpers/oidc-rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://eligibility.example/callback';
let server: TestServer;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer();
  ({ config } = await registeredClient(server.app, server.url, {
    name: 'Eligibility checker',
    redirectUris: [REDIRECT],
    scopes: ['openid', 'email', 'organisation'],
    firstParty: false,
  }));
});
afterAll(() => server?.close());

interface Failure {
  error: { code: string; details: Record<string, unknown> };
}

const consentUrl = (returnTo: string) => new URL(`${returnTo}/consent`, server.url);

async function askedForConsent(email: string) {
  const user = await signedInClient(server.app, email);
  const jar = new Jar(user.cookie);
  const asked = await authorize(server.url, config, REDIRECT, jar, {
    scope: 'openid email organisation',
  });
  expect(asked.landed.pathname).toBe('/sign-in/consent');
  const returnTo = asked.landed.searchParams.get('return_to')!;
  expect(returnTo).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
  return { jar, asked, returnTo };
}

async function answer(jar: Jar, returnTo: string, allow: boolean, headers = true) {
  return fetch(consentUrl(returnTo), {
    method: 'POST',
    headers: {
      cookie: jar.header,
      'content-type': 'application/json',
      ...(headers ? { 'x-portcullis-csrf': '1', origin: server.url } : {}),
    },
    body: JSON.stringify({ allow }),
  });
}

describe('a third-party application asks for consent', () => {
  it('names the application and what it would see', async () => {
    const { jar, returnTo } = await askedForConsent('cy@clinic.org');
    const res = await fetch(consentUrl(returnTo), { headers: { cookie: jar.header } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      client: { name: 'Eligibility checker' },
      scopes: [
        { scope: 'openid', description: expect.stringContaining('never your email address') },
        { scope: 'email', description: 'See your email address' },
        { scope: 'organisation', description: 'See your organisation and your role in it' },
      ],
    });
  });

  it('declined: the application hears access_denied, with no code', async () => {
    const { jar, returnTo } = await askedForConsent('di@clinic.org');
    const res = await answer(jar, returnTo, false);
    expect(res.status).toBe(200);
    const landed = await walk(
      server.url,
      new URL(((await res.json()) as { redirectTo: string }).redirectTo, server.url),
      jar,
    );
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('code')).toBeNull();
  });

  it('allowed: a code with the scopes asked for, and no question the next time', async () => {
    const { jar, asked, returnTo } = await askedForConsent('ed@clinic.org');
    const res = await answer(jar, returnTo, true);
    const landed = await walk(
      server.url,
      new URL(((await res.json()) as { redirectTo: string }).redirectTo, server.url),
      jar,
    );
    const tokens = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: asked.verifier,
      expectedState: asked.state,
      expectedNonce: asked.nonce,
    });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'organisation']);

    const again = await authorize(server.url, config, REDIRECT, jar, {
      scope: 'openid email organisation',
    });
    expect(again.landed.origin + again.landed.pathname).toBe(REDIRECT);
    expect(again.landed.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('refuses an answer from another browser (no interaction cookie), and one without the CSRF header', async () => {
    const { jar, returnTo } = await askedForConsent('fi@clinic.org');
    const other = await signedInClient(server.app, 'mallory@clinic.org');
    const forged = await answer(new Jar(other.cookie), returnTo, true);
    expect(forged.status).toBe(404);
    expect(((await forged.json()) as Failure).error.code).toBe('OIDC_INTERACTION_NOT_FOUND');
    const noCsrf = await answer(jar, returnTo, true, false);
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as Failure).error.code).toBe('CSRF_CHECK_FAILED');
  });

  it('grants nothing once the sign-in has moved on: signed out since, the answer is a 409', async () => {
    const { jar, returnTo } = await askedForConsent('gus@clinic.org');
    const signedOut = new Jar(
      jar.header.replace(/portcullis_session=[^;]+/, 'portcullis_session=x'),
    );
    const res = await answer(signedOut, returnTo, true);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Failure;
    expect(body.error.code).toBe('OIDC_INTERACTION_MOVED');
    expect(body.error.details.redirectTo).toBe(returnTo);
  });
});
