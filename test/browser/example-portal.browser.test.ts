/**
 * The example portal (examples/portal/, issue 14) signing its user in through Portcullis, in real
 * Chromium, on two sites: Portcullis at http://localhost, the portal at http://127.0.0.1, under the
 * policy `npm run example:portal` runs. A user with an authenticator app signs in with the
 * password and the app's code; the portal says "Signed in as … (aal2, pwd + otp + mfa)" from the
 * ID token, shows the claims and userinfo, and signs out at Portcullis (RP-initiated logout) back
 * to its signed-out home; signed out at Portcullis itself, the portal is told (back-channel logout)
 * and its session ends too. A user signed in at aal1 who opens "View claims" is sent back with
 * `acr_values=urn:portcullis:aal2` and steps up at Portcullis with the app; cancelled, the step-up
 * comes back as an error the portal shows.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createPortal } from '../../examples/portal/src/portal.js';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import { PASSWORD, signedInClient } from '../helpers/client.js';
import { enrolTotp, stepUpByEmail } from '../helpers/totp.js';
import { fileURLToPath } from 'node:url';
import { enterCode, goodPassword, newEmail, nextTotpCode, submitSignIn } from './steps.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe.skipIf(!browserAvailable())(
  'the example portal signs in through Portcullis',
  { timeout: 30_000 },
  () => {
    // The policy `npm run example:portal` runs: email-first, with the app's code asked at sign-in
    // once the user has set it up (the preset never asks for a second factor at sign-in).
    const t = useBrowserSession(
      {
        PORTCULLIS_POLICY: fileURLToPath(
          new URL('../../examples/portal/portcullis-policy.json', import.meta.url),
        ),
      },
      { host: 'localhost' },
    );
    let portal: Server | undefined;
    afterEach(async () => {
      portal?.closeAllConnections();
      await new Promise((resolve) => (portal ? portal.close(resolve) : resolve(undefined)));
      portal = undefined;
    });

    /** Registers the portal as a first-party confidential client and starts it; its URL. */
    async function startPortal(): Promise<string> {
      const url = `http://127.0.0.1:${await freePort()}`;
      const { client, clientSecret } = await t.server.app.services.oidcClients.register(
        {
          name: 'Example Claims Portal',
          kind: 'confidential',
          redirectUris: [`${url}/callback`],
          postLogoutRedirectUris: [`${url}/signed-out`],
          backchannelLogoutUri: `${url}/backchannel-logout`,
          firstParty: true,
        },
        null,
        { ip: null, userAgent: 'test' },
      );
      portal = createPortal({
        issuer: new URL(t.server.url),
        clientId: client.clientId,
        clientSecret: clientSecret!,
        url,
      });
      await new Promise<void>((resolve) =>
        portal!.listen(Number(new URL(url).port), '127.0.0.1', resolve),
      );
      return url;
    }

    /** From the portal's home through Portcullis's sign-in page (with the password). */
    async function signInAtPortcullis(
      url: string,
      email: string,
      password = goodPassword,
    ): Promise<void> {
      await t.page.goto(url);
      await t.page.getByRole('link', { name: 'Sign in with Portcullis' }).click();
      await t.page.waitForURL(`${t.server.url}/sign-in?return_to=*`);
      await submitSignIn(t.page, email, password);
    }

    test('signs in at aal2 with the app, shows the claims, and signs out at Portcullis', async () => {
      const email = newEmail('portal-aal2');
      // Signed up, with an authenticator app set up after a step-up by email (email-first's way).
      const c = await signedInClient(t.server.app, email);
      await stepUpByEmail(c, email);
      const key = await enrolTotp(c, t.server.clock);
      const url = await startPortal();

      await signInAtPortcullis(url, email, PASSWORD);
      await t.page.waitForURL('**/sign-in/code');
      await enterCode(t.page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await t.page.waitForURL(`${url}/`);
      await t.page.getByText(`Signed in as ${email} (aal2, pwd + otp + mfa)`).waitFor();

      // aal2 already: no step-up, the claims at once.
      await t.page.getByRole('link', { name: 'View claims' }).click();
      await t.page.waitForURL(`${url}/claims`);
      const idToken = t.page.getByRole('table', { name: 'ID token claims' });
      const account = (await t.server.app.services.accounts.findByEmail(email))!;
      await idToken.getByRole('row', { name: `sub "${account.id}"` }).waitFor();
      await idToken.getByRole('row', { name: 'acr "urn:portcullis:aal2"' }).waitFor();
      const userinfo = t.page.getByRole('table', { name: 'Userinfo' });
      await userinfo.getByRole('row', { name: `email "${email}"` }).waitFor();
      expect(await t.page.content()).not.toMatch(/eyJ/); // no token on the page

      await t.page.getByRole('link', { name: 'Home' }).click();
      await t.page.getByRole('button', { name: 'Sign out' }).click();
      // Portcullis asks (its RP-initiated logout page), then comes back to the portal.
      await t.page.waitForURL(`${t.server.url}/oidc/session/end*`);
      await t.page.getByRole('button', { name: 'Yes, sign out' }).click();
      await t.page.waitForURL(`${url}/signed-out`);
      await t.page.getByText('You have signed out.').waitFor();
      await t.page.getByRole('link', { name: 'Sign in with Portcullis' }).waitFor();
      // The portal's session is gone.
      await t.page.goto(url);
      await t.page.getByRole('link', { name: 'Sign in with Portcullis' }).waitFor();
      expect(await t.page.getByText('Signed in as').count()).toBe(0);
    });

    test('signed out at Portcullis itself, the portal hears of it (back-channel) and signs out too', async () => {
      const email = newEmail('portal-backchannel');
      await signedInClient(t.server.app, email);
      const url = await startPortal();
      await signInAtPortcullis(url, email, PASSWORD);
      await t.page.waitForURL(`${url}/`);
      await t.page.getByText(`Signed in as ${email} (aal1, pwd)`).waitFor();

      // At Portcullis, the top-right menu's Log Out (seed 000's header).
      await t.page.goto(`${t.server.url}/account`);
      await t.page.getByRole('button', { name: email }).click();
      await t.page.getByRole('menuitem', { name: 'Log Out' }).click();
      await t.page.waitForURL(`${t.server.url}/sign-in*`);
      await t.server.app.backchannel.settled();

      await t.page.goto(url);
      await t.page.getByRole('link', { name: 'Sign in with Portcullis' }).waitFor();
      expect(await t.page.getByText('Signed in as').count()).toBe(0);
    });

    test('asks for aal2 before the claims: a step-up at Portcullis, or its refusal shown when cancelled', async () => {
      const email = newEmail('portal-step-up');
      const c = await signedInClient(t.server.app, email);
      const url = await startPortal();
      await signInAtPortcullis(url, email, PASSWORD);
      await t.page.waitForURL(`${url}/`);
      await t.page.getByText(`Signed in as ${email} (aal1, pwd)`).waitFor();
      // The user sets up an authenticator app elsewhere (another session): this one stays aal1.
      await stepUpByEmail(c, email);
      const key = await enrolTotp(c, t.server.clock);

      const [stepUp] = await Promise.all([
        t.page.waitForRequest((r) => r.url().startsWith(`${t.server.url}/oidc/auth?`)),
        t.page.getByRole('link', { name: 'View claims' }).click(),
      ]);
      expect(new URL(stepUp.url()).searchParams.get('acr_values')).toBe('urn:portcullis:aal2');
      await t.page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
      // Cancelled: the portal says why and keeps the sign-in it had.
      await t.page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await t.page.waitForURL(`${url}/callback?*`);
      await t.page
        .getByRole('alert')
        .filter({ hasText: /^Portcullis could not raise your sign-in to two factors: / })
        .waitFor();
      await t.page.getByRole('link', { name: 'Home' }).click();
      await t.page.getByText(`Signed in as ${email} (aal1, pwd)`).waitFor();

      // Again, with the app's code this time: the claims, at aal2.
      await t.page.getByRole('link', { name: 'View claims' }).click();
      await t.page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', nextTotpCode(t.server, key));
      await t.page.waitForURL(`${url}/claims`);
      await t.page.getByText(`Signed in as ${email} (aal2, pwd + otp + mfa)`).waitFor();
      await t.page
        .getByRole('table', { name: 'ID token claims' })
        .getByRole('row', { name: 'acr "urn:portcullis:aal2"' })
        .waitFor();
    });
  },
);
