/**
 * A portal application on another host signs its user in through Portcullis (issue 14), in real
 * Chromium: the portal sends the browser to the authorization endpoint, Portcullis shows its own
 * sign-in page, the user enters their email and password, and the browser comes back to the
 * portal (here a path of the test server) with a code that `openid-client` exchanges for an ID
 * token saying what the session is. A portal asking for two factors (`acr_values`) has a
 * password-only user add an authenticator app and verify with it before it gets its code; a
 * cancelled step-up answers `access_denied`. `return_to` never leads off the site.
 */
import * as oidc from 'openid-client';
import { describe, expect, test } from 'vitest';
import { adminAtAal2 } from '../helpers/admin.js';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import {
  activeUserThroughApi,
  enterCode,
  goodPassword,
  newEmail,
  nextTotpCode,
  submitSignIn,
  totpCode,
} from './steps.js';

/** A first-party portal whose callback is a path of the test server (the browser reaches nothing else). */
async function registeredPortal(server: TestServer, firstParty = true) {
  const redirect = `${server.url}/portal/callback`;
  const admin = await adminAtAal2(server.app, newEmail('oidc-admin'));
  const registered = await admin.c.post('/api/v1/admin/oidc/clients', {
    name: firstParty ? 'Claims portal' : 'Eligibility checker',
    kind: 'confidential',
    redirectUris: [redirect],
    firstParty,
  });
  const { client, clientSecret } = registered.json();
  const config = await oidc.discovery(
    new URL(server.url),
    client.clientId,
    clientSecret,
    undefined,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  return { config, redirect };
}

/** The portal's authorization request (code + PKCE), and how it redeems the code it gets back. */
async function portalSignIn(
  portal: Awaited<ReturnType<typeof registeredPortal>>,
  extra: Record<string, string> = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(portal.config, {
    redirect_uri: portal.redirect,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  const redeem = async (landed: string) =>
    (
      await oidc.authorizationCodeGrant(portal.config, new URL(landed), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      })
    ).claims()!;
  return { url: url.href, state, redeem };
}

describe.skipIf(!browserAvailable())(
  'signing in to a portal through Portcullis',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    test('the portal sends the user to Portcullis’s sign-in, and gets them back with a code', async () => {
      const portal = await registeredPortal(t.server);
      const email = newEmail('oidc-user');
      await activeUserThroughApi(t.server, email);

      const asked = await portalSignIn(portal);
      await t.page.goto(asked.url);
      await t.page.waitForURL('**/sign-in?return_to=*');
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      expect(new URL(t.page.url()).searchParams.get('state')).toBe(asked.state);

      const account = (await t.server.app.services.accounts.findByEmail(email))!;
      expect(await asked.redeem(t.page.url())).toMatchObject({
        sub: account.id,
        acr: 'urn:portcullis:aal1',
        amr: ['pwd'],
      });
    });

    test('a portal asking for two factors has a password-only user add one, verify, and go back', async () => {
      const portal = await registeredPortal(t.server);
      const email = newEmail('oidc-step-up');
      await activeUserThroughApi(t.server, email);

      const asked = await portalSignIn(portal, { acr_values: 'urn:portcullis:aal2' });
      await t.page.goto(asked.url);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.getByRole('heading', { name: 'Add a second factor to continue' }).waitFor();
      await t.page
        .getByText('The application you are signing in to needs a sign-in with two factors.')
        .waitFor();
      await t.page.getByRole('link', { name: 'Go to your security page' }).click();
      await t.page.waitForURL('**/account/security');
      await t.page.getByText('An application you are signing in to is waiting.').waitFor();
      const section = t.page.getByRole('region', { name: 'Authenticator app' });
      await section.getByRole('button', { name: 'Set up authenticator app' }).click();
      // Seed 000's step-up for a change: a code to the email address.
      await section.getByText('We sent a six-digit code to').waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
      const key = (await section.getByTestId('totp-key').textContent()) ?? '';
      await enterCode(
        t.page,
        'Code from your authenticator app',
        'Verify',
        totpCode(key, t.server.clock.now()),
      );
      await section.getByText('Your authenticator app is set up.').waitFor();
      await t.page.getByRole('button', { name: 'Continue to the application' }).click();

      // Back at the sign-in, which asks for the new factor: the session is raised, then the code.
      await t.page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
      await t.page
        .getByText('You will be required to verify your identity via your authenticator app')
        .waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', nextTotpCode(t.server, key));
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      expect(await asked.redeem(t.page.url())).toMatchObject({
        acr: 'urn:portcullis:aal2',
        amr: ['pwd', 'email', 'otp', 'mfa'],
      });
    });

    test('an application that is not the deployment’s own asks first, and gets a code once allowed', async () => {
      const portal = await registeredPortal(t.server, false);
      const email = newEmail('oidc-consent');
      await activeUserThroughApi(t.server, email);
      const asked = await portalSignIn(portal);
      await t.page.goto(asked.url);
      await submitSignIn(t.page, email, goodPassword);
      await t.page
        .getByRole('heading', { name: 'Allow Eligibility checker to sign you in?' })
        .waitFor();
      const list = t.page.getByRole('list', { name: 'What the application asks for' });
      await list.getByText('See your email address').waitFor();
      await t.page.getByRole('button', { name: 'Allow' }).click();
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      expect(await asked.redeem(t.page.url())).toMatchObject({ acr: 'urn:portcullis:aal1' });
    });

    test('another user signing in on the same browser gets a code for themselves, not the first', async () => {
      const portal = await registeredPortal(t.server);
      const first = newEmail('oidc-first');
      const second = newEmail('oidc-second');
      await activeUserThroughApi(t.server, first);
      await activeUserThroughApi(t.server, second);

      const one = await portalSignIn(portal);
      await t.page.goto(one.url);
      await submitSignIn(t.page, first, goodPassword);
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      const firstId = (await t.server.app.services.accounts.findByEmail(first))!.id;
      expect((await one.redeem(t.page.url())).sub).toBe(firstId);

      // The first signs out of Portcullis; the second signs in at the next visit to the portal.
      await t.page.goto(`${t.server.url}/account`);
      await t.page.getByRole('button', { name: 'Sign out' }).click();
      await t.page.waitForURL('**/sign-in');
      const two = await portalSignIn(portal);
      await t.page.goto(two.url);
      await submitSignIn(t.page, second, goodPassword);
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      const secondId = (await t.server.app.services.accounts.findByEmail(second))!.id;
      expect((await two.redeem(t.page.url())).sub).toBe(secondId);
    });

    test('cancelling the step-up sends the user back to the portal with access_denied', async () => {
      const portal = await registeredPortal(t.server);
      const email = newEmail('oidc-cancel');
      await activeUserThroughApi(t.server, email);
      const asked = await portalSignIn(portal, { acr_values: 'urn:portcullis:aal2' });
      await t.page.goto(asked.url);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.getByRole('button', { name: 'Cancel sign-in' }).click();
      await t.page.waitForURL((url) => url.pathname === '/portal/callback');
      expect(new URL(t.page.url()).searchParams.get('error')).toBe('access_denied');
    });

    test('return_to never leads off the site: a sign-in with another origin in it lands on the account', async () => {
      const email = newEmail('no-open-redirect');
      await activeUserThroughApi(t.server, email);
      await t.page.goto(
        `${t.server.url}/sign-in?return_to=${encodeURIComponent('//evil.example/oidc/interaction/x')}`,
      );
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account');
      expect(new URL(t.page.url()).origin).toBe(t.server.url);
    });
  },
);
