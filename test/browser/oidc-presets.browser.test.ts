/**
 * A portal signs in through Portcullis under the two presets that ask for a second factor at
 * sign-in (issue 14), in real Chromium: code + PKCE, the user through Portcullis's own pages in
 * the seeds' words, and an ID token that says what the sign-in reached — seed 002's SMS code
 * (sms-required) and seed 001's minimum (strong-mfa) both give `aal2` with `sms`. (Email-first,
 * the default, is in oidc-sign-in.browser.test.ts.)
 */
import * as oidc from 'openid-client';
import { describe, expect, test } from 'vitest';
import { adminAtAal2 } from '../helpers/admin.js';
import { browserAvailable, useBrowserSession, type BrowserSession } from '../helpers/browser.js';
import {
  enterCode,
  goodPassword,
  newEmail,
  strongMfaPhoneUserThroughApi,
  submitSignIn,
  userWithPhoneThroughApi,
} from './steps.js';

/** The portal's sign-in through Portcullis, up to the code coming back; then its ID token. */
async function portalSignIn(t: BrowserSession, signIn: () => Promise<void>) {
  const redirect = `${t.server.url}/portal/callback`;
  const admin = await adminAtAal2(t.server.app, newEmail('preset-admin'));
  const registered = await admin.c.post('/api/v1/admin/oidc/clients', {
    name: 'Claims portal',
    kind: 'confidential',
    redirectUris: [redirect],
    firstParty: true,
  });
  const { client, clientSecret } = registered.json();
  const config = await oidc.discovery(
    new URL(t.server.url),
    client.clientId,
    clientSecret,
    undefined,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  await t.page.goto(url.href);
  await signIn();
  await t.page.waitForURL((landed) => landed.pathname === '/portal/callback');
  const tokens = await oidc.authorizationCodeGrant(config, new URL(t.page.url()), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return tokens.claims()!;
}

describe.skipIf(!browserAvailable())(
  'a portal signs in through Portcullis (sms-required)',
  { timeout: 40_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

    test('seed 002: the password, then the SMS code; the portal hears aal2 with sms', async () => {
      const email = newEmail('oidc-sms');
      const phone = '+447546100300';
      await userWithPhoneThroughApi(t.server, email, phone);
      const claims = await portalSignIn(t, async () => {
        await submitSignIn(t.page, email, goodPassword);
        await t.page.waitForURL('**/sign-in/code');
        await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      });
      expect(claims).toMatchObject({ acr: 'urn:portcullis:aal2', amr: ['pwd', 'sms', 'mfa'] });
    });
  },
);

describe.skipIf(!browserAvailable())(
  'a portal signs in through Portcullis (strong-mfa)',
  { timeout: 40_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: 'strong-mfa' });

    test('seed 001: the password and the phone of the minimum; the portal hears aal2 with sms', async () => {
      const email = newEmail('oidc-strong');
      const phone = '+14155550142';
      await strongMfaPhoneUserThroughApi(t.server, email, phone);
      const claims = await portalSignIn(t, async () => {
        await submitSignIn(t.page, email, goodPassword);
        await t.page.waitForURL('**/sign-in/code');
        await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      });
      expect(claims).toMatchObject({ acr: 'urn:portcullis:aal2', amr: ['pwd', 'sms', 'mfa'] });
    });
  },
);
